package dev.keel.core.testing;

/** The metadata stores every storage test runs against. */
public enum StoreKind {
    SQLITE,
    POSTGRES
}
