package dev.keel.engine.duckdb.quality;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * Writes records of known entities under seeded, documented corruptions, so that a linkage run can be scored against the
 * truth. Every rule and rate is listed in docs/benchmarks.md ("Entity resolution"); the same seed always gives the same
 * records.
 *
 * <p>Rules, each drawn independently per written record with the rate of its {@link Noise}:
 * <ul>
 *   <li>typo (name, city): one edit at a random letter, one of insert a letter, delete, substitute, transpose with the next
 *       character, chosen uniformly;</li>
 *   <li>abbreviation: every word of the name with an FAA abbreviation is abbreviated (International → Intl, Municipal → Muni,
 *       Airport → Arpt, County → Co, Regional → Rgnl, Saint → St, Field → Fld, Memorial → Meml); a name that has none of them
 *       but holds an abbreviation gets it written out instead;</li>
 *   <li>reordered tokens: the name's last word moves to the front ("Livingston Municipal" → "Municipal Livingston");</li>
 *   <li>case: the name and city in upper case, or in lower case;</li>
 *   <li>missing: the state, the city, or both coordinates left empty;</li>
 *   <li>moved: the point moved to a uniform random place within {@code movedKm} kilometres.</li>
 * </ul>
 * A source's {@link Convention} is applied after the rules, to every record of that source.
 */
final class DuplicateInjector {
    /** The FAA's abbreviations of words in airport names (FAA Order JO 7340, contractions). */
    static final Map<String, String> ABBREVIATIONS = orderedMap("International", "Intl", "Municipal", "Muni", "Airport", "Arpt",
            "County", "Co", "Regional", "Rgnl", "Saint", "St", "Field", "Fld", "Memorial", "Meml");
    private static final double KM_PER_DEGREE = 6371.0088 * Math.PI / 180;

    private final Random random;

    DuplicateInjector(long seed) {
        this.random = new Random(seed);
    }

    /**
     * One real thing, as its reference source describes it. Missing text is {@code ""}, missing coordinates are NaN.
     *
     * @param id the entity's identity (the truth the evaluation uses)
     */
    record Entity(String id, String name, String city, String state, String country, double latitude, double longitude) {
        boolean located() {
            return !Double.isNaN(latitude) && !Double.isNaN(longitude);
        }
    }

    /**
     * One written record: an entity as one source wrote it.
     *
     * @param injected the rules that changed it, space-separated ({@code ""} for none): what an error analysis groups by
     */
    record Written(String recordId, String entity, String source, String name, String city, String state, String country,
                   double latitude, double longitude, String injected) {
    }

    /** The rates of the rules, each a probability per written record; {@code movedKm} is the largest move. */
    record Noise(double nameTypo, double cityTypo, double abbreviation, double reorder, double upperCase, double lowerCase,
                 double missingState, double missingCity, double missingCoordinates, double moved, double movedKm) {
        /** Nothing changed: the reference record as it is. */
        static final Noise NONE = new Noise(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
        /** What a duplicate within one source suffers. */
        static final Noise DUPLICATE = new Noise(0.30, 0.10, 0.40, 0.10, 0.10, 0.10, 0.05, 0.05, 0.05, 0.50, 1.0);
        /** What a second or third source's copy suffers on top of its conventions. */
        static final Noise SOURCE = new Noise(0.15, 0.05, 0.0, 0.05, 0.0, 0.0, 0.05, 0.05, 0.05, 0.20, 1.0);
    }

    /** How a source writes every record, after the rules. */
    enum Convention {
        /** As the FAA writes it: title case, postal state codes, coordinates to 8 decimals. */
        FAA,
        /**
         * A registry: "CITY - NAME" in one upper-case name field, the city in upper case, full state names ("Texas" for "TX"),
         * coordinates rounded to 2 decimals (about 1.1 km).
         */
        REGISTRY,
        /** A pilots' directory: every FAA abbreviation applied to the name, the city in lower case, coordinates to the nearest arc minute. */
        DIRECTORY
    }

    /**
     * A dedupe input: every entity once as its reference record, and a share of them written again, once or twice, under
     * {@code noise}. Records are shuffled; ids are {@code r000001…} in the written order.
     *
     * @param duplicated the share of entities written more than once
     * @param twice of those, the share written three times in all
     */
    List<Written> dedupe(List<Entity> entities, double duplicated, double twice, Noise noise) {
        List<Written> records = new ArrayList<>();
        for (Entity entity : entities) {
            records.add(write(entity, "raw", Noise.NONE, Convention.FAA));
            if (random.nextDouble() < duplicated) {
                int extra = random.nextDouble() < twice ? 2 : 1;
                for (int i = 0; i < extra; i++) {
                    records.add(write(entity, "raw", noise, Convention.FAA));
                }
            }
        }
        return numbered(records, "r");
    }

    /** A dedupe input of exactly {@code size} records: every entity once clean, the rest copies under {@code noise}, spread evenly. */
    List<Written> dedupeOfSize(List<Entity> entities, int size, Noise noise) {
        List<Written> records = new ArrayList<>(size);
        List<Entity> order = new ArrayList<>(entities);
        Collections.shuffle(order, random);
        for (int i = 0; i < size; i++) {
            Entity entity = order.get(i % order.size());
            records.add(write(entity, "raw", i < order.size() ? Noise.NONE : noise, Convention.FAA));
        }
        return numbered(records, "r");
    }

    /** One source of a match: which entities it holds, how it writes them, and what else goes wrong. */
    record Source(String name, double presence, Convention convention, Noise noise) {
    }

    /**
     * Inputs of a match: each entity is in each source with the source's presence (at least in one: the first when the draws
     * put it nowhere), at most once per source. Each source's records are shuffled and numbered {@code <prefix><n>}.
     */
    List<List<Written>> sources(List<Entity> entities, List<Source> sources) {
        List<List<Written>> written = new ArrayList<>();
        sources.forEach(source -> written.add(new ArrayList<>()));
        for (Entity entity : entities) {
            boolean anywhere = false;
            boolean[] present = new boolean[sources.size()];
            for (int s = 0; s < sources.size(); s++) {
                present[s] = random.nextDouble() < sources.get(s).presence();
                anywhere |= present[s];
            }
            if (!anywhere) {
                present[0] = true;
            }
            for (int s = 0; s < sources.size(); s++) {
                if (present[s]) {
                    Source source = sources.get(s);
                    written.get(s).add(write(entity, source.name(), source.noise(), source.convention()));
                }
            }
        }
        List<List<Written>> numbered = new ArrayList<>();
        for (int s = 0; s < sources.size(); s++) {
            numbered.add(numbered(written.get(s), sources.get(s).name().substring(0, 1)));
        }
        return numbered;
    }

    private List<Written> numbered(List<Written> records, String prefix) {
        List<Written> shuffled = new ArrayList<>(records);
        Collections.shuffle(shuffled, random);
        List<Written> numbered = new ArrayList<>(shuffled.size());
        for (int i = 0; i < shuffled.size(); i++) {
            Written r = shuffled.get(i);
            numbered.add(new Written(prefix + String.format(Locale.ROOT, "%06d", i + 1), r.entity(), r.source(), r.name(), r.city(),
                    r.state(), r.country(), r.latitude(), r.longitude(), r.injected()));
        }
        return numbered;
    }

    /** One record of {@code entity}: the rules of {@code noise} (each drawn once, in the order listed), then the convention. */
    Written write(Entity entity, String source, Noise noise, Convention convention) {
        String name = entity.name();
        String city = entity.city();
        String state = entity.state();
        double latitude = entity.latitude();
        double longitude = entity.longitude();
        List<String> injected = new ArrayList<>();
        if (draw(noise.nameTypo())) {
            name = changed(injected, "name-typo", name, typo(name));
        }
        if (draw(noise.cityTypo())) {
            city = changed(injected, "city-typo", city, typo(city));
        }
        if (draw(noise.abbreviation())) {
            name = changed(injected, "abbreviation", name, abbreviated(name, true));
        }
        if (draw(noise.reorder())) {
            name = changed(injected, "reorder", name, reordered(name));
        }
        double caseDraw = random.nextDouble();
        if (caseDraw < noise.upperCase()) {
            name = changed(injected, "upper-case", name, name.toUpperCase(Locale.ROOT));
            city = city.toUpperCase(Locale.ROOT);
        } else if (caseDraw < noise.upperCase() + noise.lowerCase()) {
            name = changed(injected, "lower-case", name, name.toLowerCase(Locale.ROOT));
            city = city.toLowerCase(Locale.ROOT);
        }
        if (draw(noise.missingState())) {
            state = changed(injected, "no-state", state, "");
        }
        if (draw(noise.missingCity())) {
            city = changed(injected, "no-city", city, "");
        }
        boolean missingPoint = draw(noise.missingCoordinates());
        if (missingPoint && entity.located()) {
            injected.add("no-point");
        }
        if (draw(noise.moved()) && entity.located()) {
            injected.add("moved");
            double bearing = random.nextDouble() * 2 * Math.PI;
            double km = noise.movedKm() * Math.sqrt(random.nextDouble());
            latitude = entity.latitude() + km * Math.cos(bearing) / KM_PER_DEGREE;
            longitude = entity.longitude() + km * Math.sin(bearing) / (KM_PER_DEGREE * Math.cos(Math.toRadians(entity.latitude())));
            latitude = Math.max(-90, Math.min(90, latitude));
            longitude = longitude > 180 ? longitude - 360 : longitude < -180 ? longitude + 360 : longitude;
        }
        if (missingPoint) {
            latitude = Double.NaN;
            longitude = Double.NaN;
        }
        switch (convention) {
            case FAA -> {
            }
            case REGISTRY -> {
                name = (city.isEmpty() ? name : city + " - " + name).toUpperCase(Locale.ROOT);
                city = city.toUpperCase(Locale.ROOT);
                state = UsStateNames.fullName(state);
                latitude = rounded(latitude, 100);
                longitude = rounded(longitude, 100);
            }
            case DIRECTORY -> {
                name = abbreviated(name, false);
                city = city.toLowerCase(Locale.ROOT);
                latitude = rounded(latitude, 60);
                longitude = rounded(longitude, 60);
            }
        }
        return new Written("", entity.id(), source, name, city, state, entity.country(), latitude, longitude, String.join(" ", injected));
    }

    /** {@code after}, noting {@code rule} when it changed the value. */
    private static String changed(List<String> injected, String rule, String before, String after) {
        if (!after.equals(before)) {
            injected.add(rule);
        }
        return after;
    }

    /** To the nearest 1/{@code steps} of a degree; NaN stays NaN. */
    private static double rounded(double degrees, int steps) {
        return Double.isNaN(degrees) ? degrees : Math.round(degrees * steps) / (double) steps;
    }

    private boolean draw(double rate) {
        return rate > 0 && random.nextDouble() < rate;
    }

    /** One edit at a random letter: insert, delete, substitute or transpose with the next character. */
    String typo(String value) {
        List<Integer> letters = new ArrayList<>();
        for (int i = 0; i < value.length(); i++) {
            if (Character.isLetter(value.charAt(i))) {
                letters.add(i);
            }
        }
        if (letters.size() < 2) {
            return value;
        }
        int at = letters.get(random.nextInt(letters.size()));
        char letter = (char) ('a' + random.nextInt(26));
        char written = Character.isUpperCase(value.charAt(at)) ? Character.toUpperCase(letter) : letter;
        StringBuilder edited = new StringBuilder(value);
        switch (random.nextInt(4)) {
            case 0 -> edited.insert(at, written);
            case 1 -> edited.deleteCharAt(at);
            case 2 -> edited.setCharAt(at, written == value.charAt(at) ? (char) (written == 'z' || written == 'Z' ? written - 1 : written + 1)
                    : written);
            default -> {
                if (at + 1 < value.length()) {
                    edited.setCharAt(at, value.charAt(at + 1));
                    edited.setCharAt(at + 1, value.charAt(at));
                } else {
                    edited.setCharAt(at, value.charAt(at - 1));
                    edited.setCharAt(at - 1, value.charAt(at));
                }
            }
        }
        return edited.toString();
    }

    /**
     * Every word with an FAA abbreviation abbreviated; with {@code expandOtherwise}, a name with no such word but with an
     * abbreviation has it written out instead ("St Louis Rgnl" → "Saint Louis Regional").
     */
    static String abbreviated(String name, boolean expandOtherwise) {
        String[] words = name.split(" ", -1);
        boolean changed = false;
        for (int i = 0; i < words.length; i++) {
            String abbreviation = ABBREVIATIONS.get(words[i]);
            if (abbreviation != null) {
                words[i] = abbreviation;
                changed = true;
            }
        }
        if (!changed && expandOtherwise) {
            for (int i = 0; i < words.length; i++) {
                for (Map.Entry<String, String> entry : ABBREVIATIONS.entrySet()) {
                    if (words[i].equals(entry.getValue())) {
                        words[i] = entry.getKey();
                    }
                }
            }
        }
        return String.join(" ", words);
    }

    /** The last word moved to the front. */
    static String reordered(String name) {
        int last = name.lastIndexOf(' ');
        return last <= 0 ? name : name.substring(last + 1) + " " + name.substring(0, last);
    }

    private static Map<String, String> orderedMap(String... keysAndValues) {
        Map<String, String> map = new java.util.LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            map.put(keysAndValues[i], keysAndValues[i + 1]);
        }
        return Collections.unmodifiableMap(map);
    }
}
