package dev.keel.core.data;

import java.util.List;
import java.util.Optional;

/** Stores dataset versions. */
public interface DatasetRepository {
    /** Stores a version; the caller has checked it is the next number. */
    void insert(DatasetVersion version);

    Optional<DatasetVersion> find(String dataset, int version);

    Optional<DatasetVersion> latest(String dataset);

    /** Every version of a dataset, oldest first. */
    List<DatasetVersion> versions(String dataset);

    /** The latest version of every dataset, by name. */
    List<DatasetVersion> listLatest();

    /** True when some version's file has this hash (files are shared by content). */
    boolean referencesFile(String sha256);
}
