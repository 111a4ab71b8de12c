package dev.keel.core.data;

/** Where a run stands; ABANDONED marks a run whose process died, found at the next start. */
public enum RunStatus {
    RUNNING, SUCCEEDED, FAILED, ABANDONED;

    /** True once the run can no longer change. */
    public boolean finished() {
        return this != RUNNING;
    }
}
