package dev.keel.core.incident;

import dev.keel.core.data.DatasetRepository;
import dev.keel.core.data.DatasetVersion;
import dev.keel.core.data.PipelineRepository;
import dev.keel.core.data.PipelineSpec;
import dev.keel.core.data.PipelineSpecParser;
import dev.keel.core.data.PipelineVersion;
import dev.keel.core.registry.ModelRegistry;
import dev.keel.core.registry.ModelVersion;
import dev.keel.core.registry.RegisteredModel;
import dev.keel.spi.data.OutputSpec;
import dev.keel.spi.data.SourceSpec;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The lineage catalog over what Keel stores: pipeline specs (sources and outputs of each pipeline's latest version), the
 * dataset versions a pipeline published, model versions' lineage ({@code dataset:name@version}) and the source of their
 * monitoring reference.
 */
public final class StoreCatalog implements Upstreams.Catalog {
    private static final Pattern DATASET = Pattern.compile("dataset:([a-z0-9][a-z0-9._-]{0,127})(?:@(\\d{1,9}))?");

    private final PipelineRepository pipelines;
    private final DatasetRepository datasets;
    private final ModelRegistry registry;
    private final BiFunction<String, Integer, Optional<String>> referenceSource;
    private final PipelineSpecParser parser = new PipelineSpecParser();
    /** Parsed specs by content hash: a spec version never changes. */
    private final Map<String, Upstreams.PipelineFacts> parsed = new ConcurrentHashMap<>();

    /**
     * @param referenceSource where the reference of a model version came from ({@code dataset:name@version}, {@code upload:csv}),
     *     empty when it has none
     */
    public StoreCatalog(PipelineRepository pipelines, DatasetRepository datasets, ModelRegistry registry,
                        BiFunction<String, Integer, Optional<String>> referenceSource) {
        this.pipelines = Objects.requireNonNull(pipelines, "pipelines");
        this.datasets = Objects.requireNonNull(datasets, "datasets");
        this.registry = Objects.requireNonNull(registry, "registry");
        this.referenceSource = Objects.requireNonNull(referenceSource, "referenceSource");
    }

    @Override
    public Optional<Upstreams.PipelineFacts> pipeline(String name) {
        Optional<PipelineVersion> latest = pipelines.latest(name);
        if (latest.isEmpty()) {
            return Optional.empty();
        }
        PipelineVersion version = latest.get();
        Upstreams.PipelineFacts cached = parsed.get(version.sha256());
        if (cached != null) {
            return Optional.of(cached);
        }
        Optional<PipelineSpec> spec = parser.parse(version.specYaml()).spec();
        if (spec.isEmpty()) {
            return Optional.empty();
        }
        List<Upstreams.SourceFact> sources = new ArrayList<>();
        for (SourceSpec source : spec.get().plan().sources()) {
            switch (source) {
                case SourceSpec.Files files -> files.paths().forEach(path -> sources.add(new Upstreams.SourceFact(files.name(), "file", path)));
                case SourceSpec.Jdbc jdbc -> sources.add(jdbc.connection().isEmpty()
                        ? new Upstreams.SourceFact(jdbc.name(), "database", withoutQuery(jdbc.url()))
                        : new Upstreams.SourceFact(jdbc.name(), "connection", jdbc.connection()));
                case SourceSpec.Http http -> sources.add(new Upstreams.SourceFact(http.name(), "http", withoutQuery(http.url())));
            }
        }
        Upstreams.PipelineFacts facts = new Upstreams.PipelineFacts(name, version.version(), sources,
                spec.get().plan().outputs().stream().map(OutputSpec::dataset).toList());
        parsed.put(version.sha256(), facts);
        return Optional.of(facts);
    }

    /** A URL without its query and credentials: what identifies the place, not how it was asked. */
    private static String withoutQuery(String url) {
        String cut = url;
        int query = cut.indexOf('?');
        if (query >= 0) {
            cut = cut.substring(0, query);
        }
        return cut.replaceFirst("//[^/@]*@", "//");
    }

    @Override
    public Optional<String> producer(String dataset) {
        Optional<String> published = datasets.latest(dataset).map(DatasetVersion::pipeline);
        if (published.isPresent()) {
            return published;
        }
        // not published yet (its pipeline may never have succeeded): the spec that declares it as an output
        for (PipelineVersion version : pipelines.listLatest()) {
            if (pipeline(version.pipeline()).map(facts -> facts.outputs().contains(dataset)).orElse(false)) {
                return Optional.of(version.pipeline());
            }
        }
        return Optional.empty();
    }

    @Override
    public List<Upstreams.ModelDataset> datasets(String model, Optional<Integer> version) {
        Optional<RegisteredModel> registered = registry.findModel(model);
        if (registered.isEmpty()) {
            return List.of();
        }
        Set<Integer> versions = new LinkedHashSet<>();
        version.ifPresentOrElse(versions::add, () -> {
            versions.addAll(registered.get().aliases().values());
            if (versions.isEmpty()) {
                registered.get().latestVersion().ifPresent(versions::add);
            }
        });
        List<Upstreams.ModelDataset> found = new ArrayList<>();
        List<ModelVersion> stored = registry.listVersions(model);
        for (int number : versions) {
            Optional<ModelVersion> modelVersionOf = stored.stream().filter(candidate -> candidate.version() == number).findFirst();
            modelVersionOf.flatMap(modelVersion -> modelVersion.lineage().datasetUri()).flatMap(StoreCatalog::dataset)
                    .ifPresent(match -> found.add(new Upstreams.ModelDataset(model, number, match.group(1), datasetVersion(match), "trained on")));
            reference(model, number).flatMap(StoreCatalog::dataset)
                    .ifPresent(match -> found.add(new Upstreams.ModelDataset(model, number, match.group(1), datasetVersion(match), "reference")));
        }
        return found;
    }

    /** The reference's source; a reference that cannot be read now names none (lineage is a hint, never a failure). */
    private Optional<String> reference(String model, int version) {
        try {
            return referenceSource.apply(model, version);
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    private static Optional<Matcher> dataset(String uri) {
        Matcher matcher = DATASET.matcher(uri);
        return matcher.matches() ? Optional.of(matcher) : Optional.empty();
    }

    private static int datasetVersion(Matcher match) {
        return match.group(2) == null ? 0 : Integer.parseInt(match.group(2));
    }
}
