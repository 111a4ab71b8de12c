package dev.keel.server;

/** The body of a route: reads the call and writes its response. */
@FunctionalInterface
public interface ApiHandler {
    void handle(Call call) throws Exception;
}
