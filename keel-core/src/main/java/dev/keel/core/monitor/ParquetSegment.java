package dev.keel.core.monitor;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes one prediction-log segment as a Parquet file: one row group, one uncompressed data page per column (PLAIN
 * values, or dictionary indices after a dictionary page for the strings that repeat), levels
 * as RLE runs. It knows only the log's schema, which is what makes it cheap: a row costs a few buffer writes, where a
 * general engine spends several microseconds per row choosing encodings and compressing. Any Parquet reader (DuckDB here)
 * reads the result; the format is Apache Parquet's (parquet-format, {@code parquet.thrift}).
 *
 * <p>Columns, in order: request_id, endpoint, model (strings), version (int32), time_ms (int64), latency_ms (double),
 * fallback, shadow (booleans), inputs (optional JSON string), outputs (JSON string), input_names (optional JSON string) and
 * input_values (optional list of float32).
 */
final class ParquetSegment {
    private static final byte[] MAGIC = "PAR1".getBytes(StandardCharsets.US_ASCII);
    private static final String CREATED_BY = "keel prediction log";

    // parquet.thrift: Type, FieldRepetitionType, ConvertedType, Encoding, CompressionCodec, PageType
    private static final int BOOLEAN = 0;
    private static final int INT32 = 1;
    private static final int INT64 = 2;
    private static final int FLOAT = 4;
    private static final int DOUBLE = 5;
    private static final int BYTE_ARRAY = 6;
    private static final int REQUIRED = 0;
    private static final int OPTIONAL = 1;
    private static final int REPEATED = 2;
    private static final int UTF8 = 0;
    private static final int LIST = 3;
    private static final int PLAIN = 0;
    private static final int PLAIN_DICTIONARY = 2;
    private static final int RLE = 3;
    private static final int RLE_DICTIONARY = 8;
    private static final int UNCOMPRESSED = 0;
    private static final int DATA_PAGE = 0;
    private static final int DICTIONARY_PAGE = 2;

    private final Column requestId = Column.strings("request_id", false);
    private final Column endpoint = Column.dictionary("endpoint", false);
    private final Column model = Column.dictionary("model", false);
    private final Column version = new Column("version", INT32, false);
    private final Column time = new Column("time_ms", INT64, false);
    private final Column latency = new Column("latency_ms", DOUBLE, false);
    private final Column fallback = new Column("fallback", BOOLEAN, false);
    private final Column shadow = new Column("shadow", BOOLEAN, false);
    private final Column inputs = Column.strings("inputs", true);
    private final Column outputs = Column.strings("outputs", false);
    private final Column inputNames = Column.dictionary("input_names", true);
    private final Column inputValues = new Column("input_values", FLOAT, true);
    private final List<Column> columns = List.of(requestId, endpoint, model, version, time, latency, fallback, shadow, inputs, outputs,
            inputNames, inputValues);
    private long rows;

    /** Adds a row; {@code inputs} is the JSON of inputs not held as a {@link FeatureRow}, else null. */
    void add(PredictionRecord record, String inputsJson, String outputsJson) {
        requestId.string(record.requestId());
        endpoint.string(record.endpoint());
        model.string(record.model());
        version.data.int32(record.version());
        time.data.int64(record.time().toEpochMilli());
        latency.data.int64(Double.doubleToRawLongBits(record.latencyMillis()));
        fallback.bit(record.fallback());
        shadow.bit(record.shadow());
        inputs.optionalString(inputsJson);
        outputs.string(outputsJson);
        if (record.inputs() instanceof FeatureRow row) {
            inputNames.optionalString(row.names().json());
            inputValues.list(row.floats());
        } else {
            inputNames.optionalString(null);
            inputValues.nullList();
        }
        rows++;
    }

    /** Empties the segment for the next one, keeping its buffers. */
    void clear() {
        columns.forEach(Column::clear);
        rows = 0;
    }

    /** Writes the whole file. */
    void writeTo(OutputStream out) throws IOException {
        CountingStream file = new CountingStream(out);
        file.write(MAGIC);
        List<long[]> chunks = new ArrayList<>();
        for (Column column : columns) {
            long offset = file.count;
            if (column.dictionary != null) {
                Buffer entries = column.dictionaryPage();
                Thrift header = new Thrift();
                header.i32(1, DICTIONARY_PAGE);
                header.i32(2, entries.size);
                header.i32(3, entries.size);
                header.beginStruct(7);
                header.i32(1, column.dictionary.size());
                header.i32(2, PLAIN_DICTIONARY);
                header.endStruct();
                header.stop();
                header.writeTo(file);
                file.write(entries.array, 0, entries.size);
            }
            long dataOffset = file.count;
            Buffer levels = column.finishPage();
            int pageLength = levels.size + column.data.size;
            Thrift header = new Thrift();
            header.i32(1, DATA_PAGE);
            header.i32(2, pageLength);
            header.i32(3, pageLength);
            header.beginStruct(5);
            header.i32(1, column.levelCount(rows));
            header.i32(2, column.dictionary != null ? RLE_DICTIONARY : PLAIN);
            header.i32(3, RLE);
            header.i32(4, RLE);
            header.endStruct();
            header.stop();
            header.writeTo(file);
            file.write(levels.array, 0, levels.size);
            file.write(column.data.array, 0, column.data.size);
            chunks.add(new long[] {offset, file.count - offset, dataOffset});
        }
        long metadataStart = file.count;
        metadata(chunks).writeTo(file);
        int metadataLength = (int) (file.count - metadataStart);
        file.write(new byte[] {(byte) metadataLength, (byte) (metadataLength >>> 8), (byte) (metadataLength >>> 16),
            (byte) (metadataLength >>> 24)});
        file.write(MAGIC);
        file.flush();
    }

    private Thrift metadata(List<long[]> chunks) {
        Thrift meta = new Thrift();
        meta.i32(1, 1);
        meta.beginList(2, 1 + columns.size() + 2 * (int) columns.stream().filter(column -> column.list).count());
        meta.beginElement();
        meta.string(4, "schema");
        meta.i32(5, columns.size());
        meta.endStruct();
        for (Column column : columns) {
            if (column.list) {
                meta.beginElement();
                meta.i32(3, OPTIONAL);
                meta.string(4, column.name);
                meta.i32(5, 1);
                meta.i32(6, LIST);
                meta.endStruct();
                meta.beginElement();
                meta.i32(3, REPEATED);
                meta.string(4, "list");
                meta.i32(5, 1);
                meta.endStruct();
                meta.beginElement();
                meta.i32(1, column.type);
                meta.i32(3, REQUIRED);
                meta.string(4, "element");
                meta.endStruct();
            } else {
                meta.beginElement();
                meta.i32(1, column.type);
                meta.i32(3, column.optional ? OPTIONAL : REQUIRED);
                meta.string(4, column.name);
                if (column.utf8) {
                    meta.i32(6, UTF8);
                }
                meta.endStruct();
            }
        }
        meta.i64(3, rows);
        long total = chunks.stream().mapToLong(chunk -> chunk[1]).sum();
        meta.beginList(4, 1);
        meta.beginElement();
        meta.beginList(1, columns.size());
        for (int i = 0; i < columns.size(); i++) {
            Column column = columns.get(i);
            long[] chunk = chunks.get(i);
            meta.beginElement();
            meta.i64(2, chunk[0]);
            meta.beginStruct(3);
            meta.i32(1, column.type);
            if (column.dictionary != null) {
                meta.intList(2, PLAIN_DICTIONARY, RLE, RLE_DICTIONARY);
            } else {
                meta.intList(2, PLAIN, RLE);
            }
            meta.stringList(3, column.list ? List.of(column.name, "list", "element") : List.of(column.name));
            meta.i32(4, UNCOMPRESSED);
            meta.i64(5, column.levelCount(rows));
            meta.i64(6, chunk[1]);
            meta.i64(7, chunk[1]);
            meta.i64(9, chunk[2]);
            if (column.dictionary != null) {
                meta.i64(11, chunk[0]);
            }
            meta.endStruct();
            meta.endStruct();
        }
        meta.i64(2, total);
        meta.i64(3, rows);
        meta.endStruct();
        meta.string(6, CREATED_BY);
        meta.stop();
        return meta;
    }

    /** One column's values and levels as they accumulate. */
    private static final class Column {
        final String name;
        final int type;
        final boolean optional;
        final boolean utf8;
        final boolean list;
        final Buffer data = new Buffer(1 << 12);
        final Runs definitions = new Runs();
        final Runs repetitions = new Runs();
        /** For a dictionary-encoded string column: its distinct values in order of first use, and each row's index as runs. */
        final java.util.LinkedHashMap<String, Integer> dictionary;
        final Runs indices;
        private String lastValue;
        private int lastIndex;
        /** For the list column: how many level entries (one per element, one per null or empty list). */
        long listEntries;
        int bits;
        int bitCount;

        Column(String name, int type, boolean optional) {
            this(name, type, optional, false);
        }

        private Column(String name, int type, boolean optional, boolean utf8) {
            this(name, type, optional, utf8, false);
        }

        private Column(String name, int type, boolean optional, boolean utf8, boolean dictionary) {
            this.name = name;
            this.type = type;
            this.optional = optional;
            this.utf8 = utf8;
            this.list = type == FLOAT;
            this.dictionary = dictionary ? new java.util.LinkedHashMap<>() : null;
            this.indices = dictionary ? new Runs() : null;
        }

        /** A string column that repeats few values (the same on most rows), stored once each in a dictionary page. */
        static Column dictionary(String name, boolean optional) {
            return new Column(name, BYTE_ARRAY, optional, true, true);
        }

        static Column strings(String name, boolean optional) {
            return new Column(name, BYTE_ARRAY, optional, true);
        }

        void string(String value) {
            if (dictionary != null) {
                if (!value.equals(lastValue)) {
                    lastIndex = dictionary.computeIfAbsent(value, key -> dictionary.size());
                    lastValue = value;
                }
                indices.add(lastIndex, 1);
                return;
            }
            byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
            data.int32(bytes.length);
            data.bytes(bytes);
        }

        void optionalString(String value) {
            if (value == null) {
                definitions.add(0, 1);
            } else {
                definitions.add(1, 1);
                string(value);
            }
        }

        void bit(boolean value) {
            if (value) {
                bits |= 1 << bitCount;
            }
            if (++bitCount == 8) {
                data.byte1(bits);
                bits = 0;
                bitCount = 0;
            }
        }

        /** A present list: definition 2 and repetition 0 then 1 per element, or definition 1 when empty. */
        void list(float[] values) {
            if (values.length == 0) {
                definitions.add(1, 1);
                repetitions.add(0, 1);
                listEntries++;
                return;
            }
            definitions.add(2, values.length);
            repetitions.add(0, 1);
            repetitions.add(1, values.length - 1);
            listEntries += values.length;
            data.floats(values);
        }

        void nullList() {
            definitions.add(0, 1);
            repetitions.add(0, 1);
            listEntries++;
        }

        int levelCount(long rows) {
            return Math.toIntExact(list ? listEntries : rows);
        }

        /**
         * Completes the column's page: writes out pending boolean bits, turns a dictionary column's indices into its values,
         * and returns the repetition then definition levels (each with its length, data page v1) that precede the values.
         */
        Buffer finishPage() {
            if (bitCount > 0) {
                data.byte1(bits);
                bits = 0;
                bitCount = 0;
            }
            Buffer page = new Buffer(64);
            if (list) {
                repetitions.writeTo(page, 1);
                definitions.writeTo(page, 2);
            } else if (optional) {
                definitions.writeTo(page, 1);
            }
            if (dictionary != null) {
                // the values of a dictionary page: the index bit width, then the indices, with no length before them
                int width = Math.max(1, 32 - Integer.numberOfLeadingZeros(Math.max(0, dictionary.size() - 1)));
                data.size = 0;
                data.byte1(width);
                indices.writeRuns(data, width);
            }
            return page;
        }

        Buffer dictionaryPage() {
            Buffer page = new Buffer(64);
            for (String value : dictionary.keySet()) {
                byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
                page.int32(bytes.length);
                page.bytes(bytes);
            }
            return page;
        }

        void clear() {
            data.size = 0;
            if (dictionary != null) {
                dictionary.clear();
                indices.count = 0;
                lastValue = null;
            }
            definitions.count = 0;
            repetitions.count = 0;
            listEntries = 0;
            bits = 0;
            bitCount = 0;
        }
    }

    /** Levels as runs of one value, written as the RLE half of Parquet's RLE/bit-packing hybrid. */
    private static final class Runs {
        private int[] values = new int[16];
        private long[] lengths = new long[16];
        private int count;

        void add(int value, long length) {
            if (length == 0) {
                return;
            }
            if (count > 0 && values[count - 1] == value) {
                lengths[count - 1] += length;
                return;
            }
            if (count == values.length) {
                values = java.util.Arrays.copyOf(values, count * 2);
                lengths = java.util.Arrays.copyOf(lengths, count * 2);
            }
            values[count] = value;
            lengths[count] = length;
            count++;
        }

        /** Writes the runs preceded by their length in bytes, as levels are in a data page v1. */
        void writeTo(Buffer page, int bitWidth) {
            Buffer runs = new Buffer(count * 4 + 8);
            writeRuns(runs, bitWidth);
            page.int32(runs.size);
            page.bytes(runs.array, runs.size);
        }

        void writeRuns(Buffer out, int bitWidth) {
            int valueBytes = (bitWidth + 7) / 8;
            for (int i = 0; i < count; i++) {
                out.varint(lengths[i] << 1);
                for (int b = 0; b < valueBytes; b++) {
                    out.byte1(values[i] >>> (8 * b));
                }
            }
        }
    }

    /** A growable little-endian byte buffer. */
    private static final class Buffer {
        private static final java.lang.invoke.VarHandle FLOATS =
                java.lang.invoke.MethodHandles.byteArrayViewVarHandle(float[].class, java.nio.ByteOrder.LITTLE_ENDIAN);

        byte[] array;
        int size;

        Buffer(int capacity) {
            array = new byte[Math.max(16, capacity)];
        }

        private void room(int more) {
            if (size + more > array.length) {
                array = java.util.Arrays.copyOf(array, Math.max(array.length * 2, size + more));
            }
        }

        void byte1(int value) {
            room(1);
            array[size++] = (byte) value;
        }

        void int32(int value) {
            room(4);
            array[size] = (byte) value;
            array[size + 1] = (byte) (value >>> 8);
            array[size + 2] = (byte) (value >>> 16);
            array[size + 3] = (byte) (value >>> 24);
            size += 4;
        }

        void floats(float[] values) {
            room(values.length * Float.BYTES);
            for (float value : values) {
                FLOATS.set(array, size, value);
                size += Float.BYTES;
            }
        }

        void int64(long value) {
            int32((int) value);
            int32((int) (value >>> 32));
        }

        void varint(long value) {
            long rest = value;
            while ((rest & ~0x7FL) != 0) {
                byte1((int) ((rest & 0x7F) | 0x80));
                rest >>>= 7;
            }
            byte1((int) rest);
        }

        void bytes(byte[] bytes) {
            bytes(bytes, bytes.length);
        }

        void bytes(byte[] bytes, int length) {
            room(length);
            System.arraycopy(bytes, 0, array, size, length);
            size += length;
        }
    }

    /** Thrift's compact protocol, as far as Parquet's page headers and file metadata need it. */
    private static final class Thrift {
        private static final int I32 = 5;
        private static final int I64 = 6;
        private static final int BINARY = 8;
        private static final int LIST_TYPE = 9;
        private static final int STRUCT = 12;

        private final Buffer out = new Buffer(256);
        private final java.util.ArrayDeque<Integer> lastFields = new java.util.ArrayDeque<>();
        private int lastField;

        private void field(int id, int type) {
            int delta = id - lastField;
            if (delta > 0 && delta <= 15) {
                out.byte1((delta << 4) | type);
            } else {
                out.byte1(type);
                out.varint(zigzag(id));
            }
            lastField = id;
        }

        private static long zigzag(long value) {
            return (value << 1) ^ (value >> 63);
        }

        void i32(int id, int value) {
            field(id, I32);
            out.varint(zigzag(value));
        }

        void i64(int id, long value) {
            field(id, I64);
            out.varint(zigzag(value));
        }

        void string(int id, String value) {
            field(id, BINARY);
            byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
            out.varint(bytes.length);
            out.bytes(bytes);
        }

        void stringList(int id, List<String> values) {
            field(id, LIST_TYPE);
            listHeader(values.size(), BINARY);
            for (String value : values) {
                byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
                out.varint(bytes.length);
                out.bytes(bytes);
            }
        }

        void beginStruct(int id) {
            field(id, STRUCT);
            lastFields.push(lastField);
            lastField = 0;
        }

        /** Starts a list of structs; each element is begun with {@link #beginElement()} and ended with {@link #endStruct()}. */
        void beginList(int id, int size) {
            field(id, LIST_TYPE);
            listHeader(size, STRUCT);
        }

        private void listHeader(int size, int elementType) {
            if (size < 15) {
                out.byte1((size << 4) | elementType);
            } else {
                out.byte1(0xF0 | elementType);
                out.varint(size);
            }
        }

        void intList(int id, int... values) {
            field(id, LIST_TYPE);
            listHeader(values.length, I32);
            for (int value : values) {
                out.varint(zigzag(value));
            }
        }

        void beginElement() {
            lastFields.push(lastField);
            lastField = 0;
        }

        void endStruct() {
            out.byte1(0);
            lastField = lastFields.pop();
        }

        void stop() {
            out.byte1(0);
        }

        void writeTo(OutputStream target) throws IOException {
            target.write(out.array, 0, out.size);
        }
    }

    private static final class CountingStream extends OutputStream {
        private final OutputStream out;
        long count;

        CountingStream(OutputStream out) {
            this.out = out;
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
            count++;
        }

        @Override
        public void write(byte[] bytes, int offset, int length) throws IOException {
            out.write(bytes, offset, length);
            count += length;
        }

        @Override
        public void flush() throws IOException {
            out.flush();
        }
    }
}
