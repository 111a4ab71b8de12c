package dev.keel.core.incident.policy;

import java.time.Instant;
import java.util.Optional;

/** What a policy has done, as the guards against repetition and flapping read it: the store's, or a dry run's in memory. */
interface Ledger {
    /** The action taken under this idempotency key, if any (running, succeeded or failed). */
    Optional<ActionRecord> attempted(String key);

    /** When the policy last took the action on the target (skips do not count). */
    Optional<Instant> lastAttempt(String policy, String action, String target);

    /** How many actions the policy took since then (skips do not count). */
    int attemptsSince(String policy, Instant since);
}
