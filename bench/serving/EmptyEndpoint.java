import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.Javalin;

/**
 * The transport's own cost: Keel's HTTP stack (Javalin 7 on Jetty 12, virtual threads, Jackson) with a POST route that
 * parses the JSON body and answers a small JSON document without scoring anything.
 * Usage: java -cp 'keel-cli/target/lib/*' bench/serving/EmptyEndpoint.java PORT
 */
public class EmptyEndpoint {
    public static void main(String[] args) {
        int port = Integer.parseInt(args.length > 0 ? args[0] : "8091");
        ObjectMapper mapper = new ObjectMapper();
        byte[] answer = "{\"model_name\":\"empty\",\"outputs\":[]}".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        Javalin.create(config -> {
            config.concurrency.useVirtualThreads = true;
            config.startup.showJavalinBanner = false;
            config.routes.post("/empty", context -> {
                JsonNode body = mapper.readTree(context.bodyAsBytes());
                if (body == null || !body.has("inputs")) {
                    context.status(400);
                }
                context.contentType("application/json").result(answer);
            });
        }).start("127.0.0.1", port);
    }
}
