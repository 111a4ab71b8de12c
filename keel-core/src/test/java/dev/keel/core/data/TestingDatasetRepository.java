package dev.keel.core.data;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/** An in-memory dataset repository. */
public final class TestingDatasetRepository implements DatasetRepository {
    private final List<DatasetVersion> versions = new ArrayList<>();

    @Override
    public synchronized void insert(DatasetVersion version) {
        if (find(version.dataset(), version.version()).isPresent()) {
            throw new IllegalStateException("duplicate " + version.reference());
        }
        versions.add(version);
    }

    @Override
    public synchronized Optional<DatasetVersion> find(String dataset, int version) {
        return versions.stream().filter(found -> found.dataset().equals(dataset) && found.version() == version).findFirst();
    }

    @Override
    public synchronized Optional<DatasetVersion> latest(String dataset) {
        return versions.stream().filter(found -> found.dataset().equals(dataset)).max(Comparator.comparingInt(DatasetVersion::version));
    }

    @Override
    public synchronized List<DatasetVersion> versions(String dataset) {
        return versions.stream().filter(found -> found.dataset().equals(dataset))
                .sorted(Comparator.comparingInt(DatasetVersion::version)).toList();
    }

    @Override
    public synchronized List<DatasetVersion> listLatest() {
        return versions.stream().map(DatasetVersion::dataset).distinct().sorted().map(name -> latest(name).orElseThrow()).toList();
    }

    @Override
    public synchronized boolean referencesFile(String sha256) {
        return versions.stream().anyMatch(version -> version.sha256().equals(sha256));
    }

    /** Every version stored, in insertion order. */
    public synchronized List<DatasetVersion> all() {
        return new ArrayList<>(versions);
    }
}
