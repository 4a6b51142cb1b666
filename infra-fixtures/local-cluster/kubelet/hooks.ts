/**
 * Lifecycle hooks (preStop): httpGet and exec as for probes, and the native `sleep` action. The
 * kubelet bounds a hook by the grace period and goes on to SIGTERM whatever the hook's outcome.
 */
import { execCommand, httpGet, type ProbeTarget } from './probe.ts';
import type { LifecycleHandler } from './types.ts';

/** Runs the hook; resolves with an error message when it failed or timed out, else undefined. */
export async function runHook(
  handler: LifecycleHandler,
  target: ProbeTarget,
  timeoutMs: number,
): Promise<string | undefined> {
  if (handler.sleep) {
    await new Promise((r) => setTimeout(r, Math.min(handler.sleep!.seconds * 1000, timeoutMs)));
    return undefined;
  }
  const outcome = handler.exec
    ? await execCommand(handler.exec.command ?? [], target, timeoutMs)
    : handler.httpGet
      ? await httpGet(handler.httpGet, target, timeoutMs)
      : { ok: true };
  return outcome.ok ? undefined : (outcome.message ?? 'hook failed');
}
