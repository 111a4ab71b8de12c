package dev.keel.core.training.eval;

import java.util.List;
import java.util.Locale;

/** The outcome of a comparison gate: passed when no check failed, with every check in the order the gate ran them. */
public record GateVerdict(boolean passed, List<Check> checks) {
    public GateVerdict {
        checks = List.copyOf(checks);
        boolean noneFailed = checks.stream().noneMatch(check -> check.status() == Check.Status.FAILED);
        if (passed != noneFailed) {
            throw new IllegalArgumentException("passed is " + passed + " but " + (noneFailed ? "no check failed" : "a check failed"));
        }
    }

    static GateVerdict of(List<Check> checks) {
        return new GateVerdict(checks.stream().noneMatch(check -> check.status() == Check.Status.FAILED), checks);
    }

    /** The first failed check's sentence, or "all N checks passed" (with the number skipped, if any). */
    public String summary() {
        for (Check check : checks) {
            if (check.status() == Check.Status.FAILED) {
                return check.sentence();
            }
        }
        long passedCount = checks.stream().filter(check -> check.status() == Check.Status.PASSED).count();
        long skipped = checks.size() - passedCount;
        String all = String.format(Locale.ROOT, "all %d check%s passed", passedCount, passedCount == 1 ? "" : "s");
        return skipped == 0 ? all : all + " (" + skipped + " skipped)";
    }
}
