package dev.keel.core.training.eval;

/** The kind of prediction a model makes, which decides its output contract and its metrics. */
public enum Task {
    BINARY, MULTICLASS, REGRESSION
}
