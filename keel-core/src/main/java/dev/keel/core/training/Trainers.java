package dev.keel.core.training;

import dev.keel.core.training.external.CommandTrainer;
import dev.keel.core.training.external.TrainingCommand;
import dev.keel.spi.Trainer;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.TreeMap;

/** The trainers a server offers: the in-JVM ones on the class path, found with {@link ServiceLoader}, and the declared commands. */
public final class Trainers {
    private final Map<String, Trainer> byName;

    private Trainers(Map<String, Trainer> byName) {
        this.byName = Map.copyOf(byName);
    }

    /**
     * @param workRoot where declared commands get their run directories
     */
    public static Trainers discover(TrainingSettings settings, Path workRoot) {
        Map<String, Trainer> found = new TreeMap<>();
        for (Trainer trainer : ServiceLoader.load(Trainer.class)) {
            found.putIfAbsent(trainer.algorithm(), trainer);
        }
        for (TrainingCommand command : settings.commands()) {
            CommandTrainer trainer = new CommandTrainer(command, workRoot);
            found.put(trainer.algorithm(), trainer);
        }
        return new Trainers(found);
    }

    /** The given trainers by their algorithm name; for tests and embedding. */
    public static Trainers of(List<Trainer> trainers) {
        Map<String, Trainer> found = new TreeMap<>();
        trainers.forEach(trainer -> found.put(trainer.algorithm(), trainer));
        return new Trainers(found);
    }

    public Optional<Trainer> find(String name) {
        return Optional.ofNullable(byName.get(name));
    }

    /** Every trainer name, sorted. */
    public List<String> names() {
        return List.copyOf(new TreeMap<>(byName).keySet());
    }
}
