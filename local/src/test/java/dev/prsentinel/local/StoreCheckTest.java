package dev.prsentinel.local;

import static org.assertj.core.api.Assertions.assertThat;

import com.mongodb.client.MongoCollection;
import java.nio.file.Path;
import java.util.List;
import org.bson.Document;
import org.h2.mvstore.MVMap;
import org.h2.mvstore.MVStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The two halves a kill -9 can leave in the embedded store, made by hand in the file: a document
 * without its index entry, and an index entry without its document. Without the check the first
 * makes every later insert of that key fail.
 */
class StoreCheckTest {

    @TempDir
    Path dir;

    private static MongoCollection<Document> prs(EmbeddedStore store) {
        return store.client().getDatabase("prsentinel").getCollection("pull_requests");
    }

    @Test
    void halfWrittenRecordsAreRemovedAndCanBeWrittenAgain() throws java.io.IOException {
        try (EmbeddedStore store = new EmbeddedStore(dir)) {
            prs(store).insertMany(List.of(new Document("_id", "a/b#1"), new Document("_id", "a/b#2"),
                    new Document("_id", "a/b#3")));
        }
        MVStore file = new MVStore.Builder().fileName(dir.resolve("store.mv").toString()).open();
        assertThat(file.hasMap("prsentinel.pull_requests._index__id_")).as("the backend's own map names").isTrue();
        MVMap<Object, Object> ids = file.openMap("prsentinel.pull_requests._index__id_");
        MVMap<Object, Object> data = file.openMap("databases.prsentinel.pull_requests");
        assertThat(ids.size()).isEqualTo(3);
        ids.entrySet().stream().filter(e -> e.getValue().equals("a/b#1")).map(java.util.Map.Entry::getKey)
                .toList().forEach(ids::remove);
        data.remove("a/b#2");
        file.commit();
        file.close();
        // As a killed run leaves it: the store was not closed.
        java.nio.file.Files.writeString(dir.resolve(EmbeddedStore.OPEN_MARKER), "12345");

        try (EmbeddedStore store = new EmbeddedStore(dir)) {
            assertThat(store.check().orphanDocuments()).isEqualTo(1);
            assertThat(store.check().orphanIndexEntries()).isEqualTo(1);
            prs(store).insertOne(new Document("_id", "a/b#1"));
            prs(store).insertOne(new Document("_id", "a/b#2"));
            assertThat(prs(store).countDocuments()).isEqualTo(3);
            assertThat(prs(store).find(new Document("_id", "a/b#1")).first()).isNotNull();
        }
        assertThat(dir.resolve(EmbeddedStore.OPEN_MARKER)).as("a clean close removes the marker").doesNotExist();
        try (EmbeddedStore store = new EmbeddedStore(dir)) {
            assertThat(store.check()).as("a cleanly closed store is not checked again")
                    .isEqualTo(StoreCheck.Report.NONE);
        }
    }
}
