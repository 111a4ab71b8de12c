package dev.keel.core.serving;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Where one endpoint sends traffic now: the main version (its alias), an optional canary with its share, an optional shadow
 * and, for the previous-version fallback, the version the alias held before. Immutable; replaced whole on every change.
 *
 * @param standInFor when the alias's version could not be loaded and the previous version serves in its place: the version
 *     the alias points at
 * @param problems why a route is missing or stands in for another, for the endpoint's status
 */
record Routes(Endpoint endpoint, LoadedModels.Handle main, Optional<LoadedModels.Handle> canary, double canaryPercent,
              Optional<LoadedModels.Handle> shadow, Optional<LoadedModels.Handle> previous, Optional<Integer> standInFor, List<String> problems) {
    Routes {
        Objects.requireNonNull(endpoint, "endpoint");
        Objects.requireNonNull(main, "main");
        problems = List.copyOf(problems);
    }

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
                + previous.map(handle -> handle.version().label()).orElse("") + "|" + standInFor.map(String::valueOf).orElse("")
                + "|" + problems;
    }
}
