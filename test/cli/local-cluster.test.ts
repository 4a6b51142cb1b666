/**
 * `gauntlet local up | status | down` through the real CLI: the cluster runs in the background,
 * status reads it through the API, down leaves no process behind (the cluster's and every pod's
 * PID are checked), and usage errors exit 2 naming the flag.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../lib/cli/main.ts';
import { GauntletError } from '../../lib/errors.ts';
import { localDown, localUp } from '../../lib/local/index.ts';
import { commandLine, descendants, isRunning } from '../../lib/local/process-tree.ts';
import { runGauntlet, tempDir } from '../helpers/run-gauntlet.ts';
import { requireKubectl } from '../local-cluster/cluster-helpers.ts';
import { eventually, kubectlRunner } from '../local-cluster/api-helpers.ts';

const dirs: string[] = [];

afterAll(async () => {
  // A failed assertion must not leave a cluster running.
  for (const dir of dirs) await localDown({ dir }).catch(() => undefined);
});

describe('gauntlet local', () => {
  it('up --stack, status, down: serves the stack, then leaves no process behind', async () => {
    await requireKubectl();
    const dir = join(tempDir('gauntlet-local-'), 'cluster');
    dirs.push(dir);
    const up = await runGauntlet(
      ['local', 'up', '--stack', '--dir', dir, '--zones', '2', '--nodes-per-zone', '1'],
      {
        timeoutMs: 150_000,
      },
    );
    expect(up.stderr).toBe('');
    expect(up.exitCode).toBe(0);
    const kubeconfig = join(dir, 'kubeconfig');
    expect(up.stdout).toContain(`kubeconfig: ${kubeconfig}`);
    expect(up.stdout).toContain(`export KUBECONFIG=${kubeconfig}`);
    const ingressUrl = /^ingress: (http:\/\/127\.0\.0\.1:\d+)$/m.exec(up.stdout)?.[1];
    expect(ingressUrl).toBeDefined();
    expect(statSync(kubeconfig).mode & 0o777).toBe(0o600);
    expect((await fetch(`${ingressUrl}/readyz`)).status).toBe(200);

    const state = JSON.parse(readFileSync(join(dir, 'state.json'), 'utf8')) as {
      pid: number;
      kubeconfig: string;
    };
    expect(state.kubeconfig).toBe(kubeconfig);
    expect(commandLine(state.pid).join(' ')).toContain('infra-fixtures/local-cluster/main.ts');
    const kubectl = kubectlRunner(kubeconfig, join(dir, 'cache'));
    // Every replica with a running container (on a box this busy a probe may restart one).
    type PodJson = { status: { containerStatuses?: Array<{ containerID?: string }> } };
    let listing = '';
    const podPids = await eventually(
      async () => {
        const r = await kubectl(['get', 'pods', '-n', 'novel-engine', '-o', 'json']);
        listing = (await kubectl(['get', 'pods', '-n', 'novel-engine'])).stdout;
        const pids = (JSON.parse(r.stdout).items as PodJson[])
          .flatMap((p) => p.status.containerStatuses ?? [])
          .map((c) => /^proc:\/\/(\d+)$/.exec(c.containerID ?? '')?.[1])
          .filter((x): x is string => x !== undefined)
          .map(Number);
        return pids.length >= 3 && pids.every(isRunning) ? pids : undefined;
      },
      30_000,
      'three running stack pods',
    ).catch((err: Error) => {
      throw new Error(`${err.message}\n${listing}`);
    });
    for (const pid of podPids) expect(descendants(state.pid).map((p) => p.pid)).toContain(pid);

    const status = await runGauntlet(['local', 'status', '--dir', dir]);
    expect(status.exitCode).toBe(0);
    expect(status.stdout).toContain(`(pid ${state.pid}`);
    expect(status.stdout).toMatch(/zone-a: 1\/1 nodes Ready/);
    expect(status.stdout).toMatch(/zone-b: 1\/1 nodes Ready/);
    expect(Number(/pods: (\d+) \(\d+ running, \d+ ready\)/.exec(status.stdout)?.[1])).toBeGreaterThanOrEqual(
      3,
    );
    expect(status.stdout).toContain(`ingress:    ${ingressUrl}`);

    // Everything the cluster started, pods and probe or hook processes alike, just before down.
    const tree = descendants(state.pid).map((p) => p.pid);
    const down = await runGauntlet(['local', 'down', '--dir', dir], { timeoutMs: 60_000 });
    expect(down.exitCode).toBe(0);
    expect(down.stdout).toContain(`local cluster stopped (pid ${state.pid})`);
    expect([state.pid, ...podPids, ...tree].filter(isRunning)).toEqual([]);
    expect(existsSync(join(dir, 'state.json'))).toBe(false);

    const after = await inProcess(['local', 'status', '--dir', dir]);
    expect(after.code).toBe(1);
    expect(after.stdout).toContain(`no local cluster running in ${dir}`);
    const again = await inProcess(['local', 'down', '--dir', dir]);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('no local cluster running');
  }, 180_000);

  it('localUp reports a failed start with the cluster log tail and leaves nothing running', async () => {
    const dir = join(tempDir('gauntlet-local-'), 'bad');
    dirs.push(dir);
    const err = await localUp({ dir, zones: 27, timeoutMs: 60_000 }).then(
      () => new Error('localUp succeeded'),
      (e: unknown) => e as Error,
    );
    expect(err).toBeInstanceOf(GauntletError);
    expect(err.message).toContain(
      'start failed: startLocalCluster: options.zones must be a whole number from 1 to 26',
    );
    expect(err.message).toContain('local-cluster.log (last lines)');
    expect(existsSync(join(dir, 'state.json'))).toBe(false);
  }, 60_000);

  it.each<[string, string[], RegExp]>([
    ['a zero --zones', ['local', 'up', '--zones', '0'], /--zones: '0' is not a positive number/],
    ['too many zones', ['local', 'up', '--zones', '27'], /--zones: '27' must be from 1 to 26/],
    [
      'a fractional --nodes-per-zone',
      ['local', 'up', '--nodes-per-zone', '1.5'],
      /--nodes-per-zone: '1.5' must be a whole number/,
    ],
    ['a bad --timeout', ['local', 'up', '--timeout', 'soon'], /--timeout: 'soon' is not a duration/],
    ['an unknown flag', ['local', 'status', '--zone', 'a'], /unknown option '--zone'/],
    ['an unknown subcommand', ['local', 'sideways'], /unknown command 'sideways'/],
  ])('%s exits 2 naming it', async (_label, args, message) => {
    const r = await inProcess(args);
    expect(r.stderr).toMatch(message);
    expect(r.code).toBe(2);
  });

  it('has --help for each subcommand', async () => {
    for (const sub of ['up', 'status', 'down']) {
      const r = await inProcess(['local', sub, '--help']);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain(`Usage: gauntlet local ${sub}`);
      expect(r.stdout).toContain('--dir <dir>');
    }
    const up = await inProcess(['local', 'up', '--help']);
    expect(up.stdout).toContain('--stack');
    expect(up.stdout).toContain('--nodes-per-zone <n>');
  });
});

/** The CLI's main() in this process, with its output captured: usage checks need no cluster. */
async function inProcess(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const out = vi
    .spyOn(process.stdout, 'write')
    .mockImplementation((chunk) => ((stdout += String(chunk)), true));
  const err = vi
    .spyOn(process.stderr, 'write')
    .mockImplementation((chunk) => ((stderr += String(chunk)), true));
  try {
    const code = await main(args);
    return { code, stdout, stderr };
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
}
