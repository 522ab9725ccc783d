package dev.prsentinel.local;

import dev.prsentinel.core.cli.Console;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * A command run as typed (Main.run), with what it printed: the tests check the words a user reads.
 *
 * @param exit   the exit code
 * @param output everything printed
 */
record Cli(int exit, String output) {

    /** With nothing to read: a command that waits for Enter sees the end of its input at once. */
    static Cli run(String... args) {
        return withInput(new ByteArrayInputStream(new byte[0]), args);
    }

    /** With {@code in} as what the user types. */
    static Cli withInput(InputStream in, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int exit = Main.run(args, new Console(new PrintStream(out, true, StandardCharsets.UTF_8)), in);
        return new Cli(exit, out.toString(StandardCharsets.UTF_8));
    }
}
