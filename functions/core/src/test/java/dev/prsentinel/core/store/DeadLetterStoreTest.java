package dev.prsentinel.core.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.prsentinel.core.testing.EmbeddedMongo;
import io.cloudevents.CloudEvent;
import io.cloudevents.core.builder.CloudEventBuilder;
import java.net.URI;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import org.bson.Document;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class DeadLetterStoreTest {

    @RegisterExtension
    final EmbeddedMongo mongo = new EmbeddedMongo();

    private static CloudEvent letter(String id, int bytes) {
        return CloudEventBuilder.v1().withId(id).withSource(URI.create("/broker")).withType("t")
                .withExtension("knativeerrorcode", "500").withDataContentType("application/json")
                .withData(("\"" + "x".repeat(bytes - 2) + "\"").getBytes(java.nio.charset.StandardCharsets.UTF_8))
                .build();
    }

    @Test
    void aLargeLetterIsCutAndCountedARedeliveryIsNotCountedTwice() {
        DeadLetterStore store = new DeadLetterStore(mongo.database(), Clock.systemUTC()).ensureIndexes();
        store.record(letter("big", 200_000));
        store.record(letter("big", 200_000));
        store.record(letter("small", 100));
        Document big = mongo.database().getCollection("dead_letters").find(new Document("_id", "/broker big")).first();
        assertThat(big.getString("data")).hasSize(DeadLetterStore.MAX_DATA_BYTES);
        assertThat(big.getBoolean("data_truncated")).isTrue();
        assertThat(big.getInteger("data_bytes")).isEqualTo(200_000);
        assertThat(store.totals()).isEqualTo(new DeadLetterStore.Totals(2, 1, 2));
        assertThat(store.totals().expired()).isZero();
    }

    @Test
    void theCollectionExpiresLetters() {
        new DeadLetterStore(mongo.database(), Clock.systemUTC()).ensureIndexes();
        List<Document> indexes = mongo.database().getCollection("dead_letters").listIndexes().into(new ArrayList<>());
        assertThat(indexes).anySatisfy(i -> {
            assertThat(i.getString("name")).isEqualTo("expire");
            assertThat(((Number) i.get("expireAfterSeconds")).longValue())
                    .isEqualTo(DeadLetterStore.KEPT.toSeconds());
        });
    }
}
