/**
 * The one event contract of Keel: every area publishes what happened as a {@link dev.keel.spi.event.KeelEvent} to an
 * {@link dev.keel.spi.event.EventSink}, and every consumer (the route table, the prediction log, later the incident
 * package) is a sink.
 *
 * <p>The types live in the SPI, not the core, so that plug-ins (a runtime, an engine, an alert channel) can publish and
 * consume events without seeing core types: records carry plain values and SPI {@link dev.keel.spi.Tensor}s only. Areas
 * never call each other to heal; they publish, and whoever acts subscribes.
 */
package dev.keel.spi.event;
