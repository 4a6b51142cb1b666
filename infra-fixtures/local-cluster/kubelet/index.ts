/**
 * Process kubelet: runs a node's pods as local process groups. Standalone — plain pod JSON in,
 * callbacks out, no store — so the assembler wires it to the store.
 *
 *   const kubelet = createKubelet({
 *     node: { name: 'node-a1', address: '127.0.1.1' },     // pods get 127.1.1.k (see below)
 *     runtime: loadRuntimeConfig(),                          // image → command (../runtime.ts)
 *     onPodStatus: (key, status) => …,                       // write pod.status; coalesced per tick
 *     onEvent: (key, { type, reason, message, fieldPath }) => …,
 *     onHeartbeatsChange: (running) => …,                    // renew the Lease only while true
 *     timeScale: 1, backoff: { initialSeconds: 10, maxSeconds: 300 },
 *   });
 *   kubelet.syncPod(pod)                        start a bound pod (idempotent; spec changes ignored)
 *   await kubelet.terminatePod(pod, grace?)     preStop → SIGTERM → grace → SIGKILL; then delete the object
 *   kubelet.podStatus(key) / podKeys()
 *   kubelet.logs(key, { container, tailLines, previous, timestamps, sinceSeconds, limitBytes })
 *   kubelet.followLogs(key, options, onData, onEnd) → unsubscribe
 *   kubelet.podUsage(key) / nodeUsage() / sampleUsage()   millicores over the window, RSS bytes
 *   await kubelet.stopAll()    power off: SIGKILL all; restarts happen on resumeAll (a reboot)
 *   kubelet.pauseAll() / resumeAll()            SIGSTOP/SIGCONT every group; the kubelet freezes too
 *   kubelet.stopHeartbeats() / startHeartbeats()  partition or dead kubelet: processes keep serving
 *   kubelet.heartbeating / state                 'running' | 'paused' | 'stopped'
 *   await kubelet.close()                        SIGKILL everything, forget every pod
 *
 * Pod networking: every pod gets its own loopback IP from the node's pod CIDR (node 127.0.X.Y →
 * pods 127.X.Y.2–254; all of 127/8 is loopback on Linux, nothing to configure). The container
 * gets HOST=<pod IP> (always: a manifest's 0.0.0.0 means "my network namespace") and its own
 * PORT (default: the first containerPort), so every pod binds <pod IP>:<containerPort> exactly
 * as the manifest says. status.podIP is that IP and status.hostIP the node address; Endpoints are
 * then the plain Kubernetes ones — pod IP + the Service's targetPort — and named ports, probes,
 * Prometheus targets and `kubectl port-forward`-style addressing need no translation.
 *
 * While the node is unreachable (stopHeartbeats, pauseAll, stopAll) the kubelet behaves like one
 * the API server cannot talk to: status reports are held (the latest goes out on recovery),
 * syncPod/terminatePod calls wait for recovery, so a deleted pod stays Terminating until then.
 * Callbacks must not throw. Errors thrown to the caller are KubeletError with an HTTP `code`
 * and Status `reason` (e.g. 400 BadRequest for `logs` of an unknown container).
 */
export { createKubelet, ProcessKubelet } from './kubelet.ts';
export type {
  ContainerUsage,
  KubeletNode,
  KubeletOptions,
  LogOptions,
  NodePower,
  PodUsage,
} from './kubelet.ts';
export { KubeletError } from './errors.ts';
export type { EnvSourceResolver } from './env.ts';
export { defaultPodCIDR } from './pod-ips.ts';
export { kubeTime, podKeyOf } from './types.ts';
export type {
  ContainerStatus,
  KubeletEvent,
  Pod,
  PodCondition,
  PodKey,
  PodPhase,
  PodStatus,
} from './types.ts';
