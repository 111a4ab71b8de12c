package dev.keel.server.data;

import dev.keel.core.data.DatasetVersion;
import dev.keel.core.data.PipelineService;
import dev.keel.core.error.ErrorCode;
import dev.keel.core.error.KeelException;
import dev.keel.core.json.Json;
import dev.keel.spi.data.TableData;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Explains one record of a golden-record dataset {@code D} from the audit datasets its linkage step publishes with it:
 * {@code D-clusters} (one row per record: its cluster, golden record and blocking keys) and {@code D-links} (every scored pair
 * above the link floor, with the level and weight of each comparison). Rows are found with the engine's filtered lookups, so
 * no dataset is read whole. For a caller without SENSITIVE_READ the golden record's sensitive columns are masked and the
 * blocking keys are hashed (equal keys stay equal), since keys are made of the columns.
 */
final class LinkExplainer {
    /** The longest record id accepted in a query parameter. */
    static final int MAX_RECORD_LENGTH = 512;
    static final int MAX_MEMBERS = 100;
    static final int MAX_LINKS = 50;
    /** The most links of one record read before the strongest {@link #MAX_LINKS} are kept. */
    static final int LINK_SCAN = 10_000;
    /** Key columns with more underscores keep their own spelling as the rule's name (each could have been a hyphen). */
    private static final int MAX_RULE_UNDERSCORES = 6;
    private static final String LINKAGE_ONLY = "only datasets written by a linkage step can be explained";
    private static final List<String> GOLDEN_COLUMNS = List.of("golden_id", "provenance");
    private static final List<String> CLUSTER_COLUMNS = List.of("record_id", "cluster_id", "golden_id");
    private static final List<String> LINK_COLUMNS = List.of("left_id", "right_id", "match_weight", "probability", "decision");

    private final PipelineService pipelines;
    private final DatasetMasking masking;

    LinkExplainer(PipelineService pipelines, DatasetMasking masking) {
        this.pipelines = pipelines;
        this.masking = masking;
    }

    /**
     * The explanation of {@code record} in version {@code version} (0 for the latest) of {@code dataset}, and of its pair with
     * {@code other} when given.
     *
     * @throws KeelException NOT_FOUND naming the dataset, audit dataset or record that is missing; INVALID_REQUEST when
     *     {@code other} is the record itself
     */
    Map<String, Object> explain(String dataset, int version, String record, Optional<String> other) {
        if (pipelines.datasetProject(dataset).isEmpty()) {
            throw KeelException.notFound("dataset '" + dataset + "' does not exist");
        }
        DatasetVersion golden = pipelines.dataset(dataset, version);
        List<String> missing = GOLDEN_COLUMNS.stream().filter(column -> !columns(golden).contains(column)).toList();
        if (!missing.isEmpty()) {
            throw KeelException.notFound("dataset '" + golden.reference() + "' is not a golden-record dataset: it has no column "
                    + missing + "; " + LINKAGE_ONLY);
        }
        if (other.isPresent() && other.get().equals(record)) {
            throw new KeelException(ErrorCode.INVALID_REQUEST, "'with' names the record '" + record + "' itself; name another record"
                    + " of its dataset", List.of(new KeelException.FieldError("with", "expected a record other than 'record'")));
        }
        DatasetVersion clusters = audit(golden, version, "-clusters", "cluster table", CLUSTER_COLUMNS);
        DatasetVersion links = audit(golden, version, "-links", "link table", LINK_COLUMNS);
        List<String> wanted = new ArrayList<>(List.of(record));
        other.ifPresent(wanted::add);
        List<Map<String, Object>> found = rows(pipelines.lookup(clusters.dataset(), clusters.version(), List.of(), "record_id", wanted,
                wanted.size() * 2L));
        Map<String, Object> row = member(found, record, clusters, golden);
        Optional<Map<String, Object>> otherRow = other.map(name -> member(found, name, clusters, golden));

        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("dataset", golden.dataset());
        answer.put("version", golden.version());
        Map<String, Object> audit = new LinkedHashMap<>();
        audit.put("clusters", clusters.reference());
        audit.put("links", links.reference());
        answer.put("audit", audit);
        answer.put("record", record);
        if (row.containsKey("source")) {
            answer.put("source", row.get("source"));
        }
        answer.put("cluster_id", row.get("cluster_id"));
        answer.put("golden_id", row.get("golden_id"));
        answer.put("golden", goldenRecord(golden, row.get("golden_id")));
        List<Object> members = row.get("cluster_id") == null ? List.of(record) : pipelines.lookup(clusters.dataset(), clusters.version(),
                List.of("record_id"), "cluster_id", List.of(text(row.get("cluster_id"))), MAX_MEMBERS + 1L).rows().stream()
                .map(values -> PipelineRoutes.jsonValue(values[0])).toList();
        answer.put("members", members.size() > MAX_MEMBERS ? members.subList(0, MAX_MEMBERS) : members);
        answer.put("members_truncated", members.size() > MAX_MEMBERS);
        List<Map<String, Object>> scored = new ArrayList<>(rows(pipelines.lookup(links.dataset(), links.version(), List.of(), "left_id",
                List.of(record), LINK_SCAN)));
        scored.addAll(rows(pipelines.lookup(links.dataset(), links.version(), List.of(), "right_id", List.of(record), LINK_SCAN)));
        scored.sort(Comparator.comparing((Map<String, Object> link) -> weight(link.get("match_weight"))).reversed());
        answer.put("links", scored.stream().limit(MAX_LINKS).map(link -> link(link, record)).toList());
        answer.put("links_truncated", scored.size() > MAX_LINKS);
        if (other.isPresent()) {
            List<Map<String, Object>> named = new ArrayList<>(scored);
            named.addAll(rows(pipelines.lookup(links.dataset(), links.version(), List.of("rule"), "left_id", List.of(other.get()), MAX_LINKS)));
            named.addAll(rows(pipelines.lookup(links.dataset(), links.version(), List.of("rule"), "right_id", List.of(other.get()), MAX_LINKS)));
            answer.put("pair", pair(record, row, other.get(), otherRow.orElseThrow(), scored, links, clusters, ruleNames(named, row, links),
                    key -> masking.derived(golden, key)));
        }
        return answer;
    }

    /**
     * The audit dataset of {@code golden} with {@code suffix}, written by the same pipeline: its latest version when the latest
     * golden version is explained, else the version the same run published or, when that run left it unchanged, the newest one
     * published before the next golden version.
     */
    private DatasetVersion audit(DatasetVersion golden, int requested, String suffix, String what, List<String> required) {
        String name = golden.dataset() + suffix;
        String absent = "dataset '" + golden.dataset() + "' has no " + what + " '" + name + "'; " + LINKAGE_ONLY;
        if (pipelines.datasetProject(name).isEmpty()) {
            throw KeelException.notFound(absent);
        }
        List<DatasetVersion> versions = pipelines.versions(name).stream().filter(version -> version.pipeline().equals(golden.pipeline())
                && version.project().equals(golden.project())).toList();
        if (versions.isEmpty()) {
            throw KeelException.notFound("dataset '" + golden.dataset() + "' has no " + what + " '" + name + "' written by its pipeline '"
                    + golden.pipeline() + "'; " + LINKAGE_ONLY);
        }
        DatasetVersion chosen = versions.getLast();
        if (requested != 0) {
            Optional<DatasetVersion> next = pipelines.versions(golden.dataset()).stream().filter(version -> version.version() > golden.version())
                    .findFirst();
            chosen = versions.stream().filter(version -> version.runId().equals(golden.runId())).findFirst()
                    .or(() -> versions.stream().filter(version -> next.isEmpty() || !version.runId().equals(next.get().runId())
                            && !version.createdAt().isAfter(next.get().createdAt())).reduce((first, second) -> second))
                    .orElseThrow(() -> KeelException.notFound("dataset '" + golden.reference() + "' has no " + what + " '" + name
                            + "' from its run " + golden.runId() + " or before; versions of '" + name + "': " + versions.stream()
                            .map(DatasetVersion::version).toList()));
        }
        DatasetVersion found = chosen;
        List<String> lacking = required.stream().filter(column -> !columns(found).contains(column)).toList();
        if (!lacking.isEmpty()) {
            throw KeelException.notFound("dataset '" + golden.dataset() + "' has no " + what + ": '" + found.reference() + "' has no column "
                    + lacking + "; " + LINKAGE_ONLY);
        }
        return found;
    }

    private static Map<String, Object> member(List<Map<String, Object>> rows, String record, DatasetVersion clusters,
                                              DatasetVersion golden) {
        return rows.stream().filter(row -> record.equals(text(row.get("record_id")))).findFirst()
                .orElseThrow(() -> KeelException.notFound("record '" + record + "' is not in '" + clusters.reference() + "', the records of '"
                        + golden.reference() + "'"));
    }

    /** The golden record row, its provenance parsed into an object (left as text when it is not a JSON object). */
    private Map<String, Object> goldenRecord(DatasetVersion golden, Object goldenId) {
        if (goldenId == null) {
            return Map.of();
        }
        List<Map<String, Object>> found = rows(pipelines.lookup(golden.dataset(), golden.version(), List.of(), "golden_id",
                List.of(text(goldenId)), 1));
        if (found.isEmpty()) {
            return Map.of();
        }
        Map<String, Object> row = new LinkedHashMap<>(masking.record(golden, found.getFirst()));
        if (row.get("provenance") instanceof String text) {
            try {
                row.put("provenance", Json.read(text, LinkedHashMap.class));
            } catch (RuntimeException e) {
                // Not a JSON object: shown as stored.
            }
        }
        return row;
    }

    /** One row of the link table as seen from {@code record}: the other record, the rule, each comparison's level and weight. */
    private static Map<String, Object> link(Map<String, Object> row, String record) {
        Map<String, Object> link = new LinkedHashMap<>();
        Object left = row.get("left_id");
        link.put("other", record.equals(text(left)) ? row.get("right_id") : left);
        link.put("left_id", left);
        link.put("right_id", row.get("right_id"));
        link.put("rule", row.get("rule"));
        Map<String, Object> comparisons = new LinkedHashMap<>();
        for (String column : row.keySet()) {
            if (column.endsWith("_level") && row.containsKey(column.substring(0, column.length() - "_level".length()) + "_weight")) {
                String name = column.substring(0, column.length() - "_level".length());
                Map<String, Object> comparison = new LinkedHashMap<>();
                comparison.put("level", row.get(column));
                comparison.put("weight", row.get(name + "_weight"));
                comparisons.put(name, comparison);
            }
        }
        link.put("comparisons", comparisons);
        link.put("match_weight", row.get("match_weight"));
        link.put("probability", row.get("probability"));
        link.put("decision", row.get("decision"));
        return link;
    }

    /**
     * The scored pair of the two records when the link table has it; otherwise why it was not compared, from each blocking
     * rule's keys of both records.
     */
    private static Map<String, Object> pair(String record, Map<String, Object> row, String other, Map<String, Object> otherRow,
                                            List<Map<String, Object>> scored, DatasetVersion links, DatasetVersion clusters,
                                            Map<String, String> ruleNames, java.util.function.UnaryOperator<Object> shown) {
        Map<String, Object> pair = new LinkedHashMap<>();
        pair.put("with", other);
        pair.put("same_cluster", row.get("cluster_id") != null && Objects.equals(row.get("cluster_id"), otherRow.get("cluster_id")));
        Optional<Map<String, Object>> scoredPair = scored.stream().filter(link -> other.equals(text(link.get("left_id")))
                || other.equals(text(link.get("right_id")))).findFirst();
        if (scoredPair.isPresent()) {
            pair.put("compared", true);
            pair.putAll(link(scoredPair.get(), record));
            return pair;
        }
        pair.put("compared", false);
        List<Map<String, Object>> keys = new ArrayList<>();
        List<String> reasons = new ArrayList<>();
        Optional<String> shared = Optional.empty();
        for (String column : row.keySet()) {
            if (!column.startsWith("key_")) {
                continue;
            }
            String rule = ruleNames.getOrDefault(column.substring("key_".length()), column.substring("key_".length()));
            Object rawMine = row.get(column);
            Object rawTheirs = otherRow.get(column);
            boolean equal = rawMine != null && rawMine.equals(rawTheirs);
            Object mine = shown.apply(rawMine);
            Object theirs = shown.apply(rawTheirs);
            Map<String, Object> key = new LinkedHashMap<>();
            key.put("rule", rule);
            key.put("record", mine);
            key.put("with", theirs);
            key.put("equal", equal);
            keys.add(key);
            if (mine == null || theirs == null) {
                reasons.add("rule " + rule + ": " + (mine == null && theirs == null ? "neither record has a key"
                        : "no key for '" + (mine == null ? record : other) + "'"));
            } else if (equal) {
                reasons.add("rule " + rule + ": both '" + mine + "'");
                shared = shared.or(() -> Optional.of(rule));
            } else {
                reasons.add("rule " + rule + ": '" + mine + "' vs '" + theirs + "' differ");
            }
        }
        String reason;
        if (keys.isEmpty()) {
            reason = "the pair is not in '" + links.reference() + "', and '" + clusters.reference() + "' records no blocking keys";
        } else if (shared.isPresent()) {
            reason = "rule " + shared.get() + " generated the pair, but it is not in '" + links.reference() + "': its match probability"
                    + " was below the link floor, or the mode does not compare records of one source; " + String.join("; ", reasons);
        } else {
            reason = "no blocking rule generated the pair: " + String.join("; ", reasons);
        }
        pair.put("reason", reason);
        pair.put("keys", keys);
        return pair;
    }

    /**
     * Rule names as the link table spells them, by the form their key columns use ({@code -} as {@code _}): from the links at
     * hand, else from the first link of the rule under any spelling that fits the key column.
     */
    private Map<String, String> ruleNames(List<Map<String, Object>> known, Map<String, Object> row, DatasetVersion links) {
        Map<String, String> names = new LinkedHashMap<>();
        for (Map<String, Object> link : known) {
            if (link.get("rule") instanceof String rule) {
                names.putIfAbsent(rule.replace('-', '_'), rule);
            }
        }
        for (String column : row.keySet()) {
            String key = column.startsWith("key_") ? column.substring("key_".length()) : "";
            if (key.isEmpty() || names.containsKey(key) || key.chars().filter(c -> c == '_').count() > MAX_RULE_UNDERSCORES) {
                continue;
            }
            List<String> spellings = new ArrayList<>(List.of(""));
            for (char c : key.toCharArray()) {
                List<String> longer = new ArrayList<>();
                for (String spelling : spellings) {
                    longer.add(spelling + c);
                    if (c == '_') {
                        longer.add(spelling + '-');
                    }
                }
                spellings = longer;
            }
            pipelines.lookup(links.dataset(), links.version(), List.of("rule"), "rule", spellings, 1).rows().stream().findFirst()
                    .ifPresent(found -> names.put(key, String.valueOf(found[0])));
        }
        return names;
    }

    private static List<String> columns(DatasetVersion version) {
        return version.profile().columns().stream().map(column -> column.name()).toList();
    }

    private static List<Map<String, Object>> rows(TableData table) {
        List<Map<String, Object>> rows = new ArrayList<>();
        for (Object[] values : table.rows()) {
            Map<String, Object> row = new LinkedHashMap<>();
            for (int index = 0; index < values.length; index++) {
                row.put(table.columns().get(index), PipelineRoutes.jsonValue(values[index]));
            }
            rows.add(row);
        }
        return rows;
    }

    private static String text(Object value) {
        return value == null ? null : value.toString();
    }

    private static double weight(Object value) {
        return value instanceof Number number && !Double.isNaN(number.doubleValue()) ? number.doubleValue() : Double.NEGATIVE_INFINITY;
    }
}
