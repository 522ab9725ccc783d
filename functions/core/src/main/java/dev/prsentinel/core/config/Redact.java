package dev.prsentinel.core.config;

import java.util.regex.Pattern;

/**
 * What may leave the process: URLs without their credentials, causes without Java class names.
 * Used on every message that can reach a log, an event or an answer (a tracking URI of the form
 * http://user:password@host/ is a real configuration).
 */
public final class Redact {

    /** scheme://userinfo@ anywhere in a text. */
    private static final Pattern USERINFO = Pattern.compile("([a-zA-Z][a-zA-Z0-9+.-]*://)[^/@\\s]*@");
    /** Query parameters that carry secrets by name. */
    private static final Pattern SECRET_PARAMS = Pattern.compile(
            "([?&](?:access_token|token|key|secret|password|sig|signature)=)[^&\\s]*", Pattern.CASE_INSENSITIVE);
    /** A Java exception class at the start of a throwable's text: "java.net.ConnectException: ...". */
    private static final Pattern CLASS_PREFIX = Pattern.compile("^(?:[a-z][a-z0-9_]*\\.)+[A-Z][A-Za-z0-9_$]*: ?");
    /** A message that is nothing but a class name. */
    private static final Pattern BARE_CLASS = Pattern.compile("^(?:[a-z][a-z0-9_]*\\.)+[A-Z][A-Za-z0-9_$]*$");

    /** An absolute file path not inside a URL: /var/lib/x/model.json keeps only model.json. */
    private static final Pattern PATH = Pattern.compile("(?<![\\w:/.])/(?:[^\\s/:]+/)+([^\\s/:]+)");

    private Redact() {
    }

    /**
     * What a client may read: {@link #text} without local file paths either (a file keeps its
     * name), for reasons that go into an answer rather than the server's own log.
     */
    public static String forClient(String text) {
        return text == null ? null : PATH.matcher(text(text)).replaceAll("$1");
    }

    /** A text with the credentials of every URL in it replaced by "***". */
    public static String text(String text) {
        if (text == null) {
            return null;
        }
        return SECRET_PARAMS.matcher(USERINFO.matcher(text).replaceAll("$1***@")).replaceAll("$1***");
    }

    /** Why something failed, in words: the throwable's message (or its cause's) without class names. */
    public static String cause(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            String message = t.getMessage() == null ? "" : t.getMessage().lines().findFirst().orElse("");
            // A wrapper's message is often just its cause's class name ("java.net.ConnectException").
            String words = CLASS_PREFIX.matcher(BARE_CLASS.matcher(message).replaceAll("")).replaceAll("").strip();
            if (!words.isEmpty()) {
                return text(words);
            }
            if (t.getCause() == null) {
                return t instanceof java.net.ConnectException ? "connection refused"
                        : t instanceof java.net.http.HttpTimeoutException ? "timed out" : "no reason given";
            }
        }
        return "no reason given";
    }
}
