package dev.keel.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code keel logout}: deletes the token {@code keel login} stored. */
@Command(name = "logout", description = "Delete the token keel login stored")
final class LogoutCommand implements Callable<Integer> {
    @Mixin
    ClientOptions client;

    @Override
    public Integer call() {
        Path file = client.credentialsFile();
        System.out.println(Credentials.delete(file) ? "logged out; deleted " + file.toAbsolutePath() : "no stored token at " + file.toAbsolutePath());
        return 0;
    }
}
