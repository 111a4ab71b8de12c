package dev.keel.spi.event;

/**
 * Receives Keel events. A sink says which kinds it wants ({@link #wants}) and whether it must be called on the publisher's
 * thread ({@link #onPublisherThread()}); other sinks are called on a delivery thread, after the publisher has moved on.
 */
@FunctionalInterface
public interface EventSink {
    void accept(KeelEvent event);

    /** True for the kinds of event this sink is given; all kinds unless overridden. */
    default boolean wants(Class<? extends KeelEvent> kind) {
        return true;
    }

    /**
     * True for a sink that must see the event before the publisher goes on (the durable prediction log: the answer waits for
     * it): it is called on the publisher's thread and an exception it throws reaches the publisher.
     */
    default boolean onPublisherThread() {
        return false;
    }

    /** A short name for logs and metrics. */
    default String name() {
        return getClass().getSimpleName();
    }

    /** A sink that drops every event: for a component built without anyone listening. */
    static EventSink discarding() {
        return event -> { };
    }
}
