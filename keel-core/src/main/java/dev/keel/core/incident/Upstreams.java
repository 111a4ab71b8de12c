package dev.keel.core.incident;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Names the object upstream of several failures: the source file or connection two failing pipelines read, the pipeline
 * whose output a drifting model was trained on or is measured against, the model several endpoints serve. Each failing
 * object (a pipeline, an endpoint, a monitor) makes claims from what Keel stores about it; an upstream is named only when
 * every failing object claims it, and it comes with the evidence each claim rests on.
 */
public final class Upstreams {
    /** What Keel stores about the objects of signals: pipeline specs, dataset publishers, model lineage and references. */
    public interface Catalog {
        /** The sources and outputs of the pipeline's latest spec. */
        Optional<PipelineFacts> pipeline(String name);

        /** The pipeline that publishes the dataset. */
        Optional<String> producer(String dataset);

        /**
         * The datasets a model depends on: the training dataset of its lineage and the dataset its reference was taken from,
         * for the given version, else for the versions behind its aliases, else for its latest version.
         */
        List<ModelDataset> datasets(String model, Optional<Integer> version);

        /** A catalog that knows nothing: no upstream is ever named. */
        static Catalog none() {
            return new Catalog() {
                @Override
                public Optional<PipelineFacts> pipeline(String name) {
                    return Optional.empty();
                }

                @Override
                public Optional<String> producer(String dataset) {
                    return Optional.empty();
                }

                @Override
                public List<ModelDataset> datasets(String model, Optional<Integer> version) {
                    return List.of();
                }
            };
        }
    }

    /**
     * One place a pipeline source reads from.
     *
     * @param name the source's name in the spec
     * @param kind {@code file}, {@code connection} (a declared JDBC connection), {@code database} (an inline JDBC URL) or {@code http}
     * @param location the path, connection name or URL without its query
     */
    public record SourceFact(String name, String kind, String location) {
        public SourceFact {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(kind, "kind");
            Objects.requireNonNull(location, "location");
        }
    }

    /** A pipeline's latest spec as lineage sees it: where it reads and which datasets it publishes. */
    public record PipelineFacts(String pipeline, int version, List<SourceFact> sources, List<String> outputs) {
        public PipelineFacts {
            Objects.requireNonNull(pipeline, "pipeline");
            sources = List.copyOf(sources);
            outputs = List.copyOf(outputs);
        }
    }

    /**
     * A dataset a model version depends on.
     *
     * @param how {@code trained on} (registry lineage) or {@code reference} (the monitors' reference)
     * @param datasetVersion the dataset's version, 0 when the record names none
     */
    public record ModelDataset(String model, int version, String dataset, int datasetVersion, String how) {
        public ModelDataset {
            Objects.requireNonNull(model, "model");
            Objects.requireNonNull(dataset, "dataset");
            Objects.requireNonNull(how, "how");
        }

        String describe() {
            String reference = dataset + (datasetVersion > 0 ? "@" + datasetVersion : "");
            return "trained on".equals(how) ? "model " + model + " version " + version + " was trained on dataset " + reference + " (registry lineage)"
                    : "the reference of model " + model + " version " + version + " is dataset " + reference + " (monitor reference)";
        }
    }

    /**
     * An object upstream of every failing object of a group.
     *
     * @param kind {@code file}, {@code connection}, {@code database}, {@code http}, {@code pipeline}, {@code dataset} or {@code model}
     * @param symptoms the failing objects it explains ({@code pipeline orders}, {@code monitor credit-drift})
     * @param evidence why each failing object leads to it, one line per claim
     */
    public record Upstream(String kind, String name, List<String> symptoms, List<String> evidence) {
        public Upstream {
            Objects.requireNonNull(kind, "kind");
            Objects.requireNonNull(name, "name");
            symptoms = List.copyOf(symptoms);
            evidence = List.copyOf(evidence);
        }

        /** {@code kind name}, as the timeline and the report show it. */
        public String label() {
            return kind + " " + name;
        }
    }

    /** Sources first, then pipelines, datasets and models: the furthest upstream leads. */
    private static final List<String> ORDER = List.of("file", "connection", "database", "http", "pipeline", "dataset", "model");

    private final Catalog catalog;

    public Upstreams(Catalog catalog) {
        this.catalog = Objects.requireNonNull(catalog, "catalog");
    }

    /** The failing object a signal is about: its pipeline, endpoint, monitor or model. */
    public static String symptom(Signal signal) {
        for (String role : List.of("pipeline", "endpoint", "monitor", "model", "channel", "artifact")) {
            if (!signal.object(role).isEmpty()) {
                return role + " " + signal.object(role);
            }
        }
        return signal.objectKind() + " " + signal.kind();
    }

    /** The distinct failing objects of the signals, in first-seen order. */
    public static List<String> symptoms(Collection<Signal> signals) {
        Set<String> symptoms = new LinkedHashSet<>();
        signals.forEach(signal -> symptoms.add(symptom(signal)));
        return List.copyOf(symptoms);
    }

    /**
     * The objects upstream of at least two of the failing objects among the signals: those that explain the most failing
     * objects first, then the furthest upstream. Empty when the signals are about one object only, or when nothing Keel stores
     * links any two of them. Each upstream lists the failing objects that lead to it.
     */
    public List<Upstream> shared(Collection<Signal> signals) {
        Map<String, Map<String, List<String>>> claimsBySymptom = new LinkedHashMap<>();
        for (Signal signal : signals) {
            Map<String, List<String>> claims = claimsBySymptom.computeIfAbsent(symptom(signal), key -> new LinkedHashMap<>());
            claims(signal).forEach((key, evidence) -> {
                List<String> lines = claims.computeIfAbsent(key, k -> new ArrayList<>());
                evidence.stream().filter(line -> !lines.contains(line)).forEach(lines::add);
            });
        }
        if (claimsBySymptom.size() < 2) {
            return List.of();
        }
        Map<String, List<String>> claimedBy = new LinkedHashMap<>();
        claimsBySymptom.forEach((symptom, claims) -> claims.keySet().forEach(key -> claimedBy.computeIfAbsent(key, k -> new ArrayList<>()).add(symptom)));
        List<Upstream> upstreams = new ArrayList<>();
        claimedBy.forEach((key, symptoms) -> {
            if (symptoms.size() < 2) {
                return;
            }
            List<String> evidence = new ArrayList<>();
            symptoms.forEach(symptom -> claimsBySymptom.get(symptom).get(key).stream().filter(line -> !evidence.contains(line)).forEach(evidence::add));
            int space = key.indexOf(' ');
            upstreams.add(new Upstream(key.substring(0, space), key.substring(space + 1), symptoms, evidence));
        });
        upstreams.sort(Comparator.comparingInt((Upstream upstream) -> -upstream.symptoms().size())
                .thenComparingInt(upstream -> ORDER.indexOf(upstream.kind())));
        return upstreams;
    }

    /** What the signal's failing object leads to, each with the evidence: {@code kind name} to lines. */
    Map<String, List<String>> claims(Signal signal) {
        Map<String, List<String>> claims = new LinkedHashMap<>();
        String pipeline = signal.object("pipeline");
        if (!pipeline.isEmpty()) {
            claim(claims, "pipeline " + pipeline, "pipeline " + pipeline + " failed (" + signal.kind() + ")");
            Optional<PipelineFacts> facts = catalog.pipeline(pipeline);
            String source = signal.object("source");
            facts.ifPresent(spec -> {
                for (SourceFact fact : spec.sources()) {
                    if (source.isEmpty() || source.equals(fact.name())) {
                        boolean named = !source.isEmpty();
                        boolean mentioned = signal.message().contains(fact.location()) || signal.message().contains("'" + fact.name() + "'");
                        claim(claims, fact.kind() + " " + fact.location(), "pipeline " + pipeline + " reads " + fact.kind() + " " + fact.location()
                                + " as source '" + fact.name() + "' (spec version " + spec.version() + ")"
                                + (named ? "; the failure is of that source" : mentioned ? "; the failure message names it" : ""));
                    }
                }
                for (String output : spec.outputs()) {
                    claim(claims, "dataset " + output, "pipeline " + pipeline + " publishes dataset " + output + " (spec version " + spec.version() + ")");
                }
            });
            if (!signal.object("dataset").isEmpty()) {
                claim(claims, "dataset " + signal.object("dataset"), "the failure of pipeline " + pipeline + " is on dataset " + signal.object("dataset"));
            }
            return claims;
        }
        String model = signal.object("model");
        if (model.isEmpty()) {
            return claims;
        }
        String via = !signal.object("endpoint").isEmpty() ? "endpoint " + signal.object("endpoint") + " serves model " + model
                : !signal.object("monitor").isEmpty() ? "monitor " + signal.object("monitor") + " watches model " + model : "the failure names model " + model;
        claim(claims, "model " + model, via);
        if (signal.kind().startsWith("monitor.")) {
            Optional<Integer> version = parseVersion(signal.object("version"));
            for (ModelDataset dataset : catalog.datasets(model, version)) {
                String line = via + "; " + dataset.describe();
                claim(claims, "dataset " + dataset.dataset(), line);
                catalog.producer(dataset.dataset()).ifPresent(producer -> claim(claims, "pipeline " + producer,
                        line + "; dataset " + dataset.dataset() + " is published by pipeline " + producer));
            }
        }
        return claims;
    }

    private static void claim(Map<String, List<String>> claims, String key, String evidence) {
        List<String> lines = claims.computeIfAbsent(key, k -> new ArrayList<>());
        if (!lines.contains(evidence)) {
            lines.add(evidence);
        }
    }

    private static Optional<Integer> parseVersion(String text) {
        if (text.isEmpty() || text.length() > 9 || !text.chars().allMatch(Character::isDigit)) {
            return Optional.empty();
        }
        return Optional.of(Integer.parseInt(text));
    }
}
