package dev.keel.core.data;

import dev.keel.core.config.ConfigNode;
import java.nio.file.Path;
import java.time.DateTimeException;
import java.time.ZoneId;
import java.util.Objects;

/**
 * The {@code pipelines} configuration section.
 *
 * @param scheduler whether the server runs pipelines on their cron schedules ({@code scheduler}, default true)
 * @param zone the time zone cron expressions are read in ({@code time-zone}, default UTC)
 * @param baseDirectory relative source paths in specs resolve against it ({@code base-directory}, default the working
 *                      directory)
 * @param datasetsDirectory where snapshot files live ({@code datasets-directory}, default {@code <data>/datasets})
 */
public record PipelinesConfig(boolean scheduler, ZoneId zone, Path baseDirectory, Path datasetsDirectory) {
    public PipelinesConfig {
        Objects.requireNonNull(zone, "zone");
        Objects.requireNonNull(baseDirectory, "baseDirectory");
        Objects.requireNonNull(datasetsDirectory, "datasetsDirectory");
    }

    /** Reads the section; unknown keys and bad values fail naming the key. */
    public static PipelinesConfig from(ConfigNode node, Path dataDirectory) {
        String zoneText = node.string("time-zone", "UTC");
        ZoneId zone;
        try {
            zone = ZoneId.of(zoneText);
        } catch (DateTimeException e) {
            throw node.invalid("time-zone", zoneText, "a time zone such as UTC or Europe/Berlin");
        }
        PipelinesConfig config = new PipelinesConfig(node.bool("scheduler", true), zone,
                Path.of(node.string("base-directory", "")).toAbsolutePath(),
                node.string("datasets-directory").map(Path::of).orElse(dataDirectory.resolve("datasets")));
        node.rejectUnknownKeys();
        return config;
    }
}
