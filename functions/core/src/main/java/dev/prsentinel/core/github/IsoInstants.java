package dev.prsentinel.core.github;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;

/**
 * ISO-8601 instants as GitHub writes them ({@code 2024-01-02T03:04:05Z}), read without the
 * general formatter: {@link Instant#parse} costs ~0.65 us a call and a PR carries four times,
 * which made it a tenth of score's request path (perf, benchmarks/RESULTS.md). Anything but that
 * exact form (fractions, offsets, leap seconds, invalid dates) goes to {@link Instant#parse},
 * so the accepted strings and the errors are the JDK's.
 */
final class IsoInstants {

    private static final int LENGTH = "2024-01-02T03:04:05Z".length();

    private IsoInstants() {
    }

    /** @throws java.time.format.DateTimeParseException as {@link Instant#parse} does */
    static Instant parse(String s) {
        if (s.length() == LENGTH && s.charAt(4) == '-' && s.charAt(7) == '-' && s.charAt(10) == 'T'
                && s.charAt(13) == ':' && s.charAt(16) == ':' && s.charAt(19) == 'Z') {
            int year = digits(s, 0, 4);
            int month = digits(s, 5, 2);
            int day = digits(s, 8, 2);
            int hour = digits(s, 11, 2);
            int minute = digits(s, 14, 2);
            int second = digits(s, 17, 2);
            if (year >= 0 && month >= 0 && day >= 0 && hour >= 0 && hour < 24 && minute >= 0 && minute < 60
                    && second >= 0 && second < 60) {
                try {
                    long epochDay = LocalDate.of(year, month, day).toEpochDay();
                    return Instant.ofEpochSecond(epochDay * 86_400 + hour * 3_600L + minute * 60L + second);
                } catch (DateTimeException e) {
                    // An invalid date (month 13, February 30): the JDK's parser says so in its words.
                }
            }
        }
        return Instant.parse(s);
    }

    /** The value of {@code count} ASCII digits from {@code from}, or -1 if one is not a digit. */
    private static int digits(String s, int from, int count) {
        int value = 0;
        for (int i = from; i < from + count; i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            value = value * 10 + (c - '0');
        }
        return value;
    }
}
