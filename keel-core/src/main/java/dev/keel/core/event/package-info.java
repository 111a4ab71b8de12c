/**
 * Delivery of Keel events ({@link dev.keel.spi.event.KeelEvent}) from the areas that publish them to the sinks that act on
 * them, through one {@link dev.keel.core.event.EventDispatcher} per process.
 *
 * <p>Each asynchronous sink has a bounded queue and a delivery thread of its own: a slow sink (the prediction log) fills
 * only its own queue, so it can neither delay nor make another sink (the route table, later the incident package) lose
 * events, and drops are counted against the sink that fell behind. A publisher pays one queue offer per asynchronous sink
 * that wants the event and never waits; sinks that must see an event before the publisher goes on (the durable prediction
 * log) are called on the publisher's thread.
 */
package dev.keel.core.event;
