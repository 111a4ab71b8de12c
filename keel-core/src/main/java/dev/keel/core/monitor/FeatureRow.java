package dev.keel.core.monitor;

import dev.keel.core.json.Json;
import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Set;

/**
 * One row of 32-bit float features by name: an immutable map over a name list shared by every row of a layout and an
 * unboxed array of values. The prediction log takes it without copying and stores it as one list column, so logging a
 * prediction of many numeric features costs an array copy rather than a map and a JSON document per row.
 */
public final class FeatureRow extends AbstractMap<String, Object> {
    private final Names names;
    private final float[] values;

    /** A row over the names; the array is taken as it is, so the caller must not change it afterwards. */
    public FeatureRow(Names names, float[] values) {
        this.names = Objects.requireNonNull(names, "names");
        this.values = Objects.requireNonNull(values, "values");
        if (values.length != names.size()) {
            throw new IllegalArgumentException("a row of " + names.size() + " features has " + values.length + " values");
        }
    }

    Names names() {
        return names;
    }

    /** The values in name order; the caller must not change them. */
    float[] floats() {
        return values;
    }

    @Override
    public int size() {
        return values.length;
    }

    @Override
    public boolean containsKey(Object key) {
        return names.index.containsKey(key);
    }

    @Override
    public Object get(Object key) {
        Integer at = names.index.get(key);
        return at == null ? null : values[at];
    }

    @Override
    public Set<Entry<String, Object>> entrySet() {
        return new AbstractSet<>() {
            @Override
            public Iterator<Entry<String, Object>> iterator() {
                return new Iterator<>() {
                    private int next;

                    @Override
                    public boolean hasNext() {
                        return next < values.length;
                    }

                    @Override
                    public Entry<String, Object> next() {
                        if (next >= values.length) {
                            throw new NoSuchElementException();
                        }
                        int at = next++;
                        return new SimpleImmutableEntry<>(names.list.get(at), values[at]);
                    }
                };
            }

            @Override
            public int size() {
                return values.length;
            }
        };
    }

    /** The feature names of a layout, in order, with their positions and their JSON text (how a log segment stores them). */
    public static final class Names {
        private final List<String> list;
        private final Map<String, Integer> index;
        private final String json;

        private Names(List<String> list, Map<String, Integer> index) {
            this.list = list;
            this.index = index;
            this.json = Json.write(list);
        }

        /** The names, or null when some name appears twice (such rows are logged as plain maps). */
        public static Names of(List<String> names) {
            List<String> list = List.copyOf(names);
            Map<String, Integer> index = HashMap.newHashMap(list.size());
            for (int i = 0; i < list.size(); i++) {
                if (index.put(list.get(i), i) != null) {
                    return null;
                }
            }
            return new Names(list, index);
        }

        int size() {
            return list.size();
        }

        String json() {
            return json;
        }
    }
}
