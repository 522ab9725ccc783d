package dev.prsentinel.core.model;

import java.util.Locale;

/** Where a stored pull request came from; stored in lower case. */
public enum Source {
    WEBHOOK, API, IMPORT, SYNTHETIC;

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Source fromWireName(String name) {
        return valueOf(name.toUpperCase(Locale.ROOT));
    }
}
