/**
 * Ingress proxy: an HTTP reverse proxy on loopback that behaves like ingress-nginx in front of the
 * local cluster's Services. Standalone — the assembler feeds it Ingress objects and ready
 * endpoints from the store.
 *
 *   const ingress = await startIngress({ port: 0, adminPort: 0, propagationDelayMs: 1000 });
 *   ingress.url / ingress.adminUrl                 http://127.0.0.1:<port> (GET /metrics, /healthz on admin)
 *   ingress.setIngresses([ingressJson, …])         → warnings (ignored annotations, backends without service)
 *   ingress.setBackends('ns/svc', [{ ip, port, zone, podName }])      ready endpoints only
 *   ingress.setBackends('ns/svc:http', …)          for multi-port Services: key by the port the
 *                                                  Ingress names (number or name); lookups try
 *                                                  `ns/svc:<port>` first, then `ns/svc`
 *   ingress.blackhole(['127.1.3.0/24', '127.1.4.7']) / unblackhole(targets?)   zone partition
 *   await ingress.metricsText() / close()
 *
 * Behaviour (ingress-nginx defaults unless annotated):
 *   - routing: networking.k8s.io/v1 host + path rules, Exact/Prefix, defaultBackend (./routes.ts);
 *     no match → 404; a backend with no ready endpoint → 503;
 *   - round robin per Service; endpoint and Ingress changes apply after the propagation delay;
 *   - proxy-next-upstream (default `error timeout`), proxy-next-upstream-tries (3): a refused or
 *     reset connection, or a timeout, moves on to the next endpoint before any response byte
 *     reached the client; a request already sent is retried only when idempotent; all tries
 *     failed → 502, or 504 when the last one timed out (connect 5 s, read 60 s; proxy-read-timeout);
 *   - limit-rps / limit-rpm with limit-burst-multiplier (5) and limit-connections, per client
 *     address and Ingress → 503; proxy-body-size (1m) → 413;
 *   - upstream connections are kept alive: an undici Pool per pod. Measured on the 2-core box with
 *     minimal proxies (autocannon -c 50, 2 echo backends, 8 s, median of 3 interleaved rounds):
 *     Pool.stream 19.0k req/s at 52 µs CPU/request, Pool.request 18.2k at 55 µs, http.Agent
 *     keepAlive 14.6k at 69 µs — hence Pool.stream. This proxy, with routing, limits, retries and
 *     metrics, costs about 90–140 µs CPU per request (bench.ts prints it);
 *   - undici's timers have about one second of resolution, so read timeouts fire up to ~1 s late;
 *   - a blackholed pod IP hangs each attempt for the connect timeout, then the next endpoint is
 *     tried; with every endpoint blackholed the client waits tries × connect timeout for a 504.
 *     (A real nginx with a warm keep-alive connection would wait the read timeout instead.)
 *     Requests already in flight to a newly blackholed IP complete; a node's whole pod range
 *     can be cut with its pod CIDR (kubelet.podCIDR);
 *   - metrics on a private prom-client Registry: nginx_ingress_controller_requests and
 *     nginx_ingress_controller_request_duration_seconds (ingress-nginx names), plus per pod
 *     ingress_upstream_attempts_total{outcome}, ingress_upstream_response_duration_seconds,
 *     ingress_rate_limited_total and ingress_upstream_endpoints. Per-pod series stay after the
 *     pod is gone (a few hundred per day of rollouts; restart the proxy to drop them).
 */
export { startIngress } from './proxy.ts';
export type { IngressOptions, IngressProxy } from './proxy.ts';
export { backendKey, buildRoutes, matchRoute } from './routes.ts';
export type { IngressObject, Route, RouteTable } from './routes.ts';
export type { EndpointInput } from './backends.ts';
