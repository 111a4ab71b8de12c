import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * The limit for batch scoring on this machine: the same Parquet rows read through DuckDB's JDBC driver (streamed, as Keel reads
 * them) straight into one reused direct float buffer, and scored by ONNX Runtime in batches of BATCH rows with the input and
 * output tensors allocated once (pinned outputs); ONNX Runtime with Keel's default options (one intra-op thread, all graph
 * optimizations). With OUTPUT_DIR the scores (id, p_0, p_1, label) are also written, one Parquet file per batch, through DuckDB's
 * appender: inference and I/O without Keel's run records, checks and row objects.
 *
 * <p>Usage: {@code java -cp "keel-cli/target/lib/*" RawOrt.java INPUT.parquet MODEL.onnx FEATURES.txt BATCH [OUTPUT_DIR]}. Prints
 * one tab-separated line: what, batch, rows, seconds, rows/s, read s, model s, write s, checksum (sum of p_1).
 */
public class RawOrt {
    public static void main(String[] args) throws Exception {
        Path parquet = Path.of(args[0]).toAbsolutePath();
        byte[] artifact = Files.readAllBytes(Path.of(args[1]));
        List<String> names = Files.readAllLines(Path.of(args[2])).stream().filter(line -> !line.isBlank()).toList();
        int batch = Integer.parseInt(args[3]);
        Path output = args.length > 4 ? Path.of(args[4]).toAbsolutePath() : null;
        int width = names.size();

        OrtEnvironment environment = OrtEnvironment.getEnvironment();
        OrtSession.SessionOptions options = new OrtSession.SessionOptions();
        options.setIntraOpNumThreads(1);
        options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
        OrtSession session = environment.createSession(artifact, options);
        String inputName = session.getInputNames().iterator().next();

        Batch full = new Batch(environment, batch, width);
        Properties streaming = new Properties();
        streaming.setProperty("jdbc_stream_results", "true");
        long rows = 0;
        long readNanos = 0;
        long modelNanos = 0;
        long writeNanos = 0;
        double checksum = 0;
        long started = System.nanoTime();
        try (Connection duck = DriverManager.getConnection("jdbc:duckdb:", streaming);
             Connection sink = output == null ? null : DriverManager.getConnection("jdbc:duckdb:")) {
            if (output != null) {
                Directories.reset(output);
                try (Statement statement = sink.createStatement()) {
                    statement.execute("CREATE TABLE scores (id BIGINT, p_0 DOUBLE, p_1 DOUBLE, label VARCHAR)");
                }
            }
            try (Statement setting = duck.createStatement()) {
                setting.execute("SET preserve_insertion_order = true");
            }
            StringBuilder select = new StringBuilder("\"id\"");
            for (String name : names) {
                select.append(", \"").append(name.replace("\"", "\"\"")).append('"');
            }
            try (PreparedStatement statement = duck.prepareStatement("SELECT " + select + " FROM read_parquet('"
                    + parquet.toString().replace("'", "''") + "')")) {
                statement.setFetchSize(2_048);
                try (ResultSet result = statement.executeQuery()) {
                    long[] ids = new long[batch];
                    int file = 0;
                    boolean more = true;
                    while (more) {
                        long readStarted = System.nanoTime();
                        FloatBuffer features = full.input;
                        features.clear();
                        int n = 0;
                        while (n < batch && (more = result.next())) {
                            ids[n] = result.getLong(1);
                            for (int f = 0; f < width; f++) {
                                features.put(result.getFloat(f + 2));
                            }
                            n++;
                        }
                        long readEnded = System.nanoTime();
                        readNanos += readEnded - readStarted;
                        if (n == 0) {
                            break;
                        }
                        Batch scoring = n == batch ? full : new Batch(environment, n, width, features);
                        try (OrtSession.Result ignored = session.run(Map.of(inputName, scoring.tensor), scoring.outputs)) {
                            // the outputs are written into the batch's pinned buffers
                        }
                        long scored = System.nanoTime();
                        modelNanos += scored - readEnded;
                        FloatBuffer probabilities = scoring.probabilities;
                        LongBuffer labels = scoring.labels;
                        for (int r = 0; r < n; r++) {
                            checksum += probabilities.get(2 * r + 1);
                        }
                        if (output != null) {
                            try (var appender = ((org.duckdb.DuckDBConnection) sink).createAppender("main", "scores")) {
                                for (int r = 0; r < n; r++) {
                                    appender.beginRow().append(ids[r]).append((double) probabilities.get(2 * r))
                                            .append((double) probabilities.get(2 * r + 1)).append(Long.toString(labels.get(r))).endRow();
                                }
                            }
                            try (Statement copy = sink.createStatement()) {
                                copy.execute("COPY scores TO '" + output.resolve("part-" + file++ + ".parquet").toString().replace("'", "''")
                                        + "' (FORMAT parquet)");
                                copy.execute("DELETE FROM scores");
                            }
                            writeNanos += System.nanoTime() - scored;
                        }
                        if (scoring != full) {
                            scoring.close();
                        }
                        rows += n;
                    }
                }
            }
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        System.out.printf("%s\t%d\t%d\t%.2f\t%.0f\t%.2f\t%.2f\t%.2f\t%.4f%n", output == null ? "raw-ort" : "raw-ort+parquet", batch, rows,
                seconds, rows / seconds, readNanos / 1e9, modelNanos / 1e9, writeNanos / 1e9, checksum);
    }

    /** The input and output tensors of one batch size, over direct buffers allocated once. */
    static final class Batch implements AutoCloseable {
        final FloatBuffer input;
        final OnnxTensor tensor;
        final FloatBuffer probabilities;
        final LongBuffer labels;
        final Map<String, OnnxValue> outputs;

        Batch(OrtEnvironment environment, int rows, int width) throws Exception {
            this(environment, rows, width, direct(rows * width * 4).asFloatBuffer());
        }

        Batch(OrtEnvironment environment, int rows, int width, FloatBuffer features) throws Exception {
            this.input = features;
            FloatBuffer view = features.duplicate();
            view.clear().limit(rows * width);
            this.tensor = OnnxTensor.createTensor(environment, view.slice(), new long[] {rows, width});
            this.probabilities = direct(rows * 2 * 4).asFloatBuffer();
            this.labels = direct(rows * 8).asLongBuffer();
            this.outputs = Map.of("label", OnnxTensor.createTensor(environment, labels, new long[] {rows}), "probabilities",
                    OnnxTensor.createTensor(environment, probabilities, new long[] {rows, 2}));
        }

        private static ByteBuffer direct(int bytes) {
            return ByteBuffer.allocateDirect(bytes).order(ByteOrder.nativeOrder());
        }

        @Override
        public void close() {
            tensor.close();
            outputs.values().forEach(OnnxValue::close);
        }
    }

    static final class Directories {
        static void reset(Path directory) throws Exception {
            if (Files.exists(directory)) {
                try (var paths = Files.walk(directory)) {
                    for (Path path : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                        Files.delete(path);
                    }
                }
            }
            Files.createDirectories(directory);
        }
    }
}
