package dev.keel.spi.data;

import java.util.Objects;

/** A value given in a spec literally or by reference to an environment variable or a file. */
public sealed interface ValueRef {
    /** A value written in the spec; never used for credentials. */
    record Literal(String value) implements ValueRef {
        public Literal {
            Objects.requireNonNull(value, "value");
        }
    }

    /** The value of an environment variable. */
    record Env(String variable) implements ValueRef {
        public Env {
            Objects.requireNonNull(variable, "variable");
        }
    }

    /** The contents of a file, trailing newline removed. */
    record File(String path) implements ValueRef {
        public File {
            Objects.requireNonNull(path, "path");
        }
    }
}
