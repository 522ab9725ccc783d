package dev.prsentinel.core.github;

import dev.prsentinel.core.model.InvalidPayloadException;
import java.util.regex.Pattern;

/**
 * GitHub's rules for "owner/name", checked wherever a repository name enters: an owner is 1-39
 * letters, digits, hyphens or underscores (GitHub Enterprise Server allows underscores) starting
 * with a letter or digit; a name is 1-100 letters, digits, '.', '-' or '_', and not "." or "..".
 * Every repository of the pullreqs data set passes. Anything else (NUL, markup, emoji, '$where',
 * megabyte-long names) is refused before it reaches the store, an event header or a URL.
 */
public final class RepoNames {

    private static final Pattern OWNER = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_-]{0,38}");
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]{1,100}");
    /** Owner, slash, name: the longest legal full name. */
    public static final int MAX_LENGTH = 39 + 1 + 100;

    private RepoNames() {
    }

    /** Whether {@code fullName} is a legal "owner/name". */
    public static boolean isValid(String fullName) {
        if (fullName == null || fullName.length() > MAX_LENGTH) {
            return false;
        }
        int slash = fullName.indexOf('/');
        if (slash < 0) {
            return false;
        }
        String name = fullName.substring(slash + 1);
        return OWNER.matcher(fullName.substring(0, slash)).matches() && NAME.matcher(name).matches()
                && !name.equals(".") && !name.equals("..");
    }

    /**
     * @return {@code fullName}
     * @throws InvalidPayloadException naming {@code field} when it is not a legal "owner/name"
     */
    public static String require(String fullName, String field) {
        if (fullName == null) {
            throw new InvalidPayloadException(field, "missing: expected owner/name");
        }
        if (!isValid(fullName)) {
            throw new InvalidPayloadException(field, "not a GitHub owner/name (owner: 1-39 letters, digits, '-' or "
                    + "'_'; name: 1-100 letters, digits, '.', '-' or '_'), got " + shown(fullName));
        }
        return fullName;
    }

    /** A bounded, printable rendering of a rejected value for an error message. */
    static String shown(String value) {
        StringBuilder sb = new StringBuilder("\"");
        int max = Math.min(value.length(), 60);
        for (int i = 0; i < max; i++) {
            char c = value.charAt(i);
            sb.append(c >= 0x20 && c < 0x7F ? String.valueOf(c) : String.format("\\u%04x", (int) c));
        }
        return sb.append(value.length() > max ? "...\" (" + value.length() + " characters)" : "\"").toString();
    }
}
