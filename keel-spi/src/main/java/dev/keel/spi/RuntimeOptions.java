package dev.keel.spi;

/**
 * How a runtime should set up a session.
 *
 * @param intraOpThreads threads one inference may use; 1 scales best when many requests run at once
 * @param optimizationLevel {@code none}, {@code basic}, {@code extended} or {@code all}
 */
public record RuntimeOptions(int intraOpThreads, String optimizationLevel) {
    public RuntimeOptions {
        if (intraOpThreads < 0) {
            throw new IllegalArgumentException("intra-op-threads must be >= 0 (0 lets the runtime choose), got " + intraOpThreads);
        }
        if (!java.util.Set.of("none", "basic", "extended", "all").contains(optimizationLevel)) {
            throw new IllegalArgumentException(
                    "optimization-level must be one of none, basic, extended, all; got '" + optimizationLevel + "'");
        }
    }

    /** One intra-op thread and every graph optimization. */
    public static RuntimeOptions defaults() {
        return new RuntimeOptions(1, "all");
    }
}
