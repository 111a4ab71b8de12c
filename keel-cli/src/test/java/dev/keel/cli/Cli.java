package dev.keel.cli;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/** Runs the command line in the test's JVM, capturing what it prints. */
final class Cli {
    private Cli() {
    }

    record Run(int code, String out, String err) {
    }

    /** Runs {@code arguments} followed by the client options (such as {@code --url} and {@code --token}). */
    static Run run(String[] client, String... arguments) {
        String[] all = new String[arguments.length + client.length];
        System.arraycopy(arguments, 0, all, 0, arguments.length);
        System.arraycopy(client, 0, all, arguments.length, client.length);
        PrintStream out = System.out;
        PrintStream err = System.err;
        ByteArrayOutputStream outBytes = new ByteArrayOutputStream();
        ByteArrayOutputStream errBytes = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(outBytes, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(errBytes, true, StandardCharsets.UTF_8));
            int code = Main.run(all);
            return new Run(code, outBytes.toString(StandardCharsets.UTF_8), errBytes.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
    }
}
