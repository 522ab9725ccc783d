package dev.prsentinel.core.github;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class IsoInstantsTest {

    @Test
    void readsGitHubsFormExactlyAsTheJdkDoes() {
        Random random = new Random(7);
        long from = Instant.parse("1970-01-01T00:00:00Z").getEpochSecond();
        long to = Instant.parse("2100-01-01T00:00:00Z").getEpochSecond();
        for (int i = 0; i < 100_000; i++) {
            String s = Instant.ofEpochSecond(from + (long) (random.nextDouble() * (to - from))).toString();
            assertThat(IsoInstants.parse(s)).as(s).isEqualTo(Instant.parse(s));
        }
        for (String s : List.of("2024-02-29T23:59:59Z", "2000-02-29T00:00:00Z", "1999-12-31T23:59:59Z",
                "0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z")) {
            assertThat(IsoInstants.parse(s)).as(s).isEqualTo(Instant.parse(s));
        }
    }

    @Test
    void otherFormsTheJdkTakesAreTakenToo() {
        for (String s : List.of("2024-01-02T03:04:05.123Z", "2024-01-02T03:04:05+02:00",
                "2016-12-31T23:59:60Z")) {
            assertThat(IsoInstants.parse(s)).as(s).isEqualTo(Instant.parse(s));
        }
    }

    @Test
    void invalidTimesFailAsTheJdkFailsThem() {
        for (String s : List.of("2023-02-29T00:00:00Z", "2024-13-01T00:00:00Z", "2024-00-10T00:00:00Z",
                "2024-01-02T24:00:00Z", "2024-01-02T03:60:05Z", "2024-01-02T03:04:61Z", "2024-01-02 03:04:05Z",
                "2024-01-0xT03:04:05Z", "2024-01-02T03:04Z", "yesterday", "", "+2024-01-02T03:04:05Z")) {
            Throwable jdk = catchThrowable(s);
            if (jdk == null) {
                assertThat(IsoInstants.parse(s)).as(s).isEqualTo(Instant.parse(s));
            } else {
                assertThatThrownBy(() -> IsoInstants.parse(s)).as(s).isInstanceOf(DateTimeParseException.class)
                        .hasMessage(jdk.getMessage());
            }
        }
    }

    private static Throwable catchThrowable(String s) {
        try {
            Instant.parse(s);
            return null;
        } catch (DateTimeParseException e) {
            return e;
        }
    }
}
