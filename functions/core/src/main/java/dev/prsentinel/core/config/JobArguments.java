package dev.prsentinel.core.config;

import java.util.HashMap;
import java.util.Map;

/** The {@code --name value} arguments of the pipeline's job entry points. */
public final class JobArguments {

    private JobArguments() {
    }

    /** Pairs of {@code --name value} as name to value; a trailing name without a value is ignored. */
    public static Map<String, String> parse(String[] args) {
        Map<String, String> options = new HashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            options.put(args[i].replaceFirst("^--", ""), args[i + 1]);
        }
        return options;
    }
}
