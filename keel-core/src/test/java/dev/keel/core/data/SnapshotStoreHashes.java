package dev.keel.core.data;

import java.nio.file.Path;

/** Exposes the snapshot store's file hashing to tests in other modules. */
public final class SnapshotStoreHashes {
    private SnapshotStoreHashes() {
    }

    public static String sha256(Path file) {
        return SnapshotStore.sha256(file);
    }
}
