package dev.keel.server;

/** A group of routes for one resource; registers them on the route table. */
public interface HttpService {
    void routes(Api api);
}
