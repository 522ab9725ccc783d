package dev.prsentinel.local;

import dev.prsentinel.core.cli.Console;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * A command run as typed (Main.run), with what it printed: the tests check the words a user reads.
 *
 * @param exit   the exit code
 * @param output everything printed
 */
record Cli(int exit, String output) {

    static Cli run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int exit = Main.run(args, new Console(new PrintStream(out, true, StandardCharsets.UTF_8)));
        return new Cli(exit, out.toString(StandardCharsets.UTF_8));
    }
}
