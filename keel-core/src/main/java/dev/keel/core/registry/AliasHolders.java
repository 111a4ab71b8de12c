package dev.keel.core.registry;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Optional;

/**
 * The holders of one alias, replayed from its history: a promotion pushes its version, a rollback pops back to the holder
 * before; refused promotions change nothing. Rollback and the previous-version fallback both read it, so they agree.
 */
public final class AliasHolders {
    private final Deque<Integer> holders = new ArrayDeque<>();

    private AliasHolders() {
    }

    /** Replays the history of one alias, oldest first. */
    public static AliasHolders replay(List<AliasEvent> history) {
        AliasHolders replayed = new AliasHolders();
        for (AliasEvent event : history) {
            switch (event.action()) {
                case PROMOTE -> event.toVersion().ifPresent(replayed.holders::push);
                case ROLLBACK -> {
                    if (!replayed.holders.isEmpty()) {
                        replayed.holders.pop();
                    }
                }
                case UNCHANGED, REFUSED -> {
                }
            }
        }
        return replayed;
    }

    /** The version the alias holds according to its history. */
    public Optional<Integer> current() {
        return Optional.ofNullable(holders.peek());
    }

    /** The holder before the current one: where a rollback goes, and what the previous-version fallback serves. */
    public Optional<Integer> previous() {
        if (holders.size() < 2) {
            return Optional.empty();
        }
        Integer current = holders.pop();
        Integer previous = holders.peek();
        holders.push(current);
        return Optional.of(previous);
    }
}
