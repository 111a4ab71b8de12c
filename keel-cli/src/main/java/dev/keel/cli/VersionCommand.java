package dev.keel.cli;

import dev.keel.server.Version;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** {@code keel version}: prints the version; needs no server. */
@Command(name = "version", description = "Print Keel's version (no server needed)")
final class VersionCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        System.out.println("keel " + Version.current() + " (java " + Runtime.version() + ")");
        return 0;
    }
}
