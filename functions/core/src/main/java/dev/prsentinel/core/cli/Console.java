package dev.prsentinel.core.cli;

import java.io.PrintStream;

/** The command line's output: what the user asked to see, as opposed to logs. */
public final class Console {

    private final PrintStream out;

    public Console(PrintStream out) {
        this.out = out;
    }

    public static Console system() {
        return new Console(System.out);
    }

    public void line(String format, Object... args) {
        out.println(args.length == 0 ? format : String.format(java.util.Locale.ROOT, format, args));
        out.flush();
    }
}
