package dev.keel.core.alert;

import dev.keel.core.error.KeelException;
import dev.keel.spi.data.ValueRef;

/** The text form of a secret reference: {@code env:NAME} or {@code file:path}; literal values are refused. */
public final class SecretRefs {
    private SecretRefs() {
    }

    /** Parses a reference; the message names the field and never echoes the written text, which may be a pasted secret. */
    public static ValueRef parse(String field, String text) {
        if (text.startsWith("env:") && text.length() > 4) {
            return new ValueRef.Env(text.substring(4));
        }
        if (text.startsWith("file:") && text.length() > 5) {
            return new ValueRef.File(text.substring(5));
        }
        throw KeelException.badRequest(field + " must be a reference written env:NAME or file:path; secrets are not accepted as values");
    }

    /** The text form of a reference. */
    public static String format(ValueRef reference) {
        return switch (reference) {
            case ValueRef.Env env -> "env:" + env.variable();
            case ValueRef.File file -> "file:" + file.path();
            case ValueRef.Literal literal -> throw new IllegalArgumentException("literal values are not secret references");
        };
    }
}
