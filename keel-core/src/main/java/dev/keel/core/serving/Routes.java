package dev.keel.core.serving;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Where one endpoint sends traffic now: the main version (its alias), an optional canary with its share, an optional shadow
 * and, for the previous-version fallback, the version the alias held before. Immutable; replaced whole on every change.
 */
record Routes(Endpoint endpoint, LoadedModels.Handle main, Optional<LoadedModels.Handle> canary, double canaryPercent,
              Optional<LoadedModels.Handle> shadow, Optional<LoadedModels.Handle> previous) {

    /** Every handle, once per route, for releasing them. */
    List<LoadedModels.Handle> handles() {
        List<LoadedModels.Handle> all = new ArrayList<>();
        all.add(main);
        canary.ifPresent(all::add);
        shadow.ifPresent(all::add);
        previous.ifPresent(all::add);
        return all;
    }

    /** The versions each route points at, to tell whether anything changed. */
    String signature() {
        return main.version().label() + "|" + canary.map(handle -> handle.version().label()).orElse("") + "|" + canaryPercent + "|"
                + shadow.map(handle -> handle.version().label()).orElse("") + "|"
                + previous.map(handle -> handle.version().label()).orElse("");
    }
}
