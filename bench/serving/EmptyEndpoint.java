import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.Javalin;

/**
 * The transport's own cost: Keel's HTTP stack (Javalin 7 on Jetty 12, virtual threads, Jackson) with a POST route that
 * reads the body as Keel does (one read of Content-Length bytes from the request stream), parses it as JSON and answers a
 * small JSON document without scoring anything.
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
                long length = context.req().getContentLengthLong();
                byte[] bytes = length >= 0 ? context.req().getInputStream().readNBytes((int) length) : context.bodyAsBytes();
                JsonNode body = mapper.readTree(bytes);
                if (body == null || !body.has("inputs")) {
                    context.status(400);
                }
                context.contentType("application/json").result(answer);
            });
        }).start("127.0.0.1", port);
    }
}
