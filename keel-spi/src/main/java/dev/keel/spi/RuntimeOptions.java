package dev.keel.spi;

/**
 * How a runtime should set up a loaded model.
 *
 * @param intraOpThreads threads one inference may use; 1 scales best when many requests run at once
 * @param optimizationLevel {@code none}, {@code basic}, {@code extended} or {@code all}
 * @param sessions independent sessions the loaded model keeps so that this many threads can score at once without
 *     sharing one; match it to the number of scoring threads
 */
public record RuntimeOptions(int intraOpThreads, String optimizationLevel, int sessions) {
    public RuntimeOptions {
        if (intraOpThreads < 0) {
            throw new IllegalArgumentException("intra-op-threads must be >= 0 (0 lets the runtime choose), got " + intraOpThreads);
        }
        if (!java.util.Set.of("none", "basic", "extended", "all").contains(optimizationLevel)) {
            throw new IllegalArgumentException(
                    "optimization-level must be one of none, basic, extended, all; got '" + optimizationLevel + "'");
        }
        if (sessions < 1 || sessions > 256) {
            throw new IllegalArgumentException("sessions must be between 1 and 256, got " + sessions);
        }
    }

    /** Options with one session. */
    public RuntimeOptions(int intraOpThreads, String optimizationLevel) {
        this(intraOpThreads, optimizationLevel, 1);
    }

    /** One intra-op thread, every graph optimization and one session. */
    public static RuntimeOptions defaults() {
        return new RuntimeOptions(1, "all", 1);
    }

    /** These options with another number of sessions. */
    public RuntimeOptions withSessions(int count) {
        return new RuntimeOptions(intraOpThreads, optimizationLevel, count);
    }
}
