/**
 * The exchange engine: every proxied request runs as readiness events on its client connection's
 * I/O thread. {@link io.gatehouse.core.internal.gateway.GatewayHandler} takes a routed request;
 * {@link io.gatehouse.core.internal.gateway.BodyCollector} reads its body whole first; {@link
 * io.gatehouse.core.internal.gateway.ProxiedRequest} drives its tries (host picks, retries, the
 * wait for a respawn); {@link io.gatehouse.core.internal.gateway.BackendCall} is one try, one
 * explicit state at a time, with its deadline ({@link io.gatehouse.core.internal.gateway.Deadline}),
 * the client side ({@link io.gatehouse.core.internal.gateway.ClientSink}, {@link
 * io.gatehouse.core.internal.gateway.ResponseRelay}, and {@link
 * io.gatehouse.core.internal.gateway.ResponseSpool} for a client slower than its backend) and
 * what its failures mean ({@link
 * io.gatehouse.core.internal.gateway.BackendFailure}).
 */
package io.gatehouse.core.internal.gateway;
