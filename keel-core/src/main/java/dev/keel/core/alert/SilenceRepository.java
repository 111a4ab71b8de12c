package dev.keel.core.alert;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** Where silences are kept. */
public interface SilenceRepository {
    void add(Silence silence);

    Optional<Silence> find(String id);

    /** A project's silences, the most recently created first; expired ones included. */
    List<Silence> list(String project);

    /** Every silence in force at {@code now}, of any project. */
    List<Silence> active(Instant now);

    /** Ends a silence at {@code now}; false when there is none with this id in the project. */
    boolean expire(String project, String id, Instant now);
}
