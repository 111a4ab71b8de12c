/**
 * Online serving. {@link dev.keel.core.serving.Serving} is a thin facade over the parts that do the work, each a plain
 * object with one job:
 *
 * <ul>
 *   <li>{@code EndpointService}: stored endpoints; a create or update is checked against what it routes to and takes
 *       effect in memory in the same step as in the store;</li>
 *   <li>{@code RouteTable}: what each endpoint routes to now, rebuilt when an alias moves, an endpoint changes or the store
 *       is refreshed; when the alias's version cannot be loaded it serves the previous holder in its place and keeps why
 *       ({@link dev.keel.core.serving.EndpointStatus});</li>
 *   <li>{@code Predictor}: one request through admission ({@code Admission}: concurrency limit and bounded queue), the
 *       route, the version's {@code CircuitBreaker}, scoring, the fallback and the shadow call;</li>
 *   <li>{@code AliasFollower}: the route table as a sink of alias moves; predictions, model failures, fallbacks and
 *       rejections are published to the process's {@link dev.keel.core.event.EventDispatcher}.</li>
 * </ul>
 *
 * <p>Why there is no unlimited path: a registered model called by name goes through the endpoint that serves it, with that
 * endpoint's policy, and a model no endpoint serves gets the server's per-model limits ({@link
 * dev.keel.core.serving.DirectLimits}). Why a breaker: a version that fails every request would otherwise be tried first on
 * every request before the fallback answered, doubling the work of each one.
 */
package dev.keel.core.serving;
