package dev.keel.cli;

import dev.keel.core.config.KeelConfig;
import dev.keel.server.Keel;
import dev.keel.server.KeelServer;
import dev.keel.server.Version;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code keel server}: runs the server until interrupted, then stops gracefully. */
@Command(name = "server", description = "Run the Keel server (embedded SQLite and local artifacts unless configured otherwise)")
final class ServerCommand implements Callable<Integer> {
    @Option(names = "--port", description = "HTTP port (default 8080, or server.port in the config)")
    Integer port;

    @Option(names = "--data-dir", description = "Data directory (default ./keel-data)")
    Path dataDir;

    @Option(names = "--config", description = "YAML configuration file")
    Path config;

    @Override
    public Integer call() throws InterruptedException {
        KeelServer server = start(loadConfig(config, dataDir, port), System.out).server();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.out.println("keel: stopping (finishing requests in flight)...");
            server.close();
            stopped.countDown();
        }, "keel-shutdown"));
        stopped.await();
        return 0;
    }

    static KeelConfig loadConfig(Path file, Path dataDir, Integer port) {
        Map<String, String> environment = new HashMap<>(System.getenv());
        if (dataDir != null) {
            environment.put("KEEL_DATA_DIR", dataDir.toString());
        }
        if (port != null) {
            environment.put("KEEL_SERVER_PORT", port.toString());
        }
        return KeelConfig.load(Optional.ofNullable(file), environment);
    }

    /** A started server and, on first start, the admin token's secret. */
    record Started(KeelServer server, Optional<String> adminSecret) {
    }

    /** Opens Keel, creates the admin token on first start, starts the server and prints where it listens. */
    static Started start(KeelConfig config, PrintStream out) {
        Keel keel = Keel.open(config);
        try {
            var admin = keel.bootstrapAdmin(Optional.ofNullable(System.getenv("KEEL_ADMIN_TOKEN")));
            KeelServer server = KeelServer.start(keel, List.of(), out);
            out.println("keel " + Version.current() + " listening on http://" + displayHost(config.server().host()) + ":" + server.port()
                    + " (store: " + keel.database().dialect().name().toLowerCase(java.util.Locale.ROOT) + ", data: " + config.dataDirectory() + ")");
            admin.ifPresent(created -> {
                if (System.getenv("KEEL_ADMIN_TOKEN") == null) {
                    out.println("keel: created the admin token; it is shown only this once, keep it safe:");
                    out.println("  KEEL_TOKEN=" + created.secret());
                } else {
                    out.println("keel: created the admin token from KEEL_ADMIN_TOKEN");
                }
            });
            return new Started(server, admin.map(created -> created.secret()));
        } catch (RuntimeException e) {
            keel.close();
            throw e;
        }
    }

    static String displayHost(String host) {
        return host.equals("0.0.0.0") ? "localhost" : host;
    }
}
