/**
 * zone-outage through the `kind` provider: the docker CLI is a test double first on PATH
 * (test/fixtures/docker) that records its calls and keeps container state like the daemon; the
 * zone's nodes come from an in-process API server. Covers every mode's inject and revert, the
 * refusals that protect other clusters and the control plane, a half-failed injection, a run
 * aborted mid-hold or while docker is still answering, and `gauntlet recover` with and without
 * the provider's answer.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseChaosSchedule } from '../../chaos/parse.ts';
import { runChaosSchedule } from '../../chaos/schedule.ts';
import { ChaosJournal, readJournal } from '../../chaos/journal.ts';
import { recoverFromJournal } from '../../chaos/recover.ts';
import { chaosPlanText } from '../../chaos/safety.ts';
import { ZoneOutage } from '../../chaos/zone-outage.ts';
import { createKindZoneProvider, kindZoneProvider, type KindZoneHandle } from '../../chaos/zone/kind.ts';
import { ZoneFaultRejected, type ZoneProviderRegistry } from '../../chaos/zone/provider.ts';
import type { ChaosTarget } from '../../chaos/action.ts';
import type { ResolvedZoneOutage, ZoneFaultMode } from '../../lib/scenario/chaos-schema.ts';
import { directContext, recorder, startTestCluster, type TestCluster } from './cluster.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const fixtures = path.join(here, '../fixtures/docker');
const target: ChaosTarget = { namespace: 'default', deployment: 'api', selector: 'app=api' };
const quiet = { log: () => undefined, signal: new AbortController().signal };

/** kind names its nodes after the containers; zones as in infra-fixtures/kind/cluster.yaml. */
const KIND_NODES: Array<[string, string | null, string]> = [
  ['gauntlet-control-plane', null, '172.18.0.2'],
  ['gauntlet-worker', 'zone-a', '172.18.0.3'],
  ['gauntlet-worker2', 'zone-a', '172.18.0.4'],
  ['gauntlet-worker3', 'zone-b', '172.18.0.5'],
  ['gauntlet-worker4', 'zone-b', '172.18.0.6'],
  ['gauntlet-worker5', 'zone-c', '172.18.0.7'],
  ['gauntlet-worker6', 'zone-c', '172.18.0.8'],
];

let c: TestCluster;
let n = 0;
let stateFile: string;
let logFile: string;
let env: NodeJS.ProcessEnv;

interface DoubleContainer {
  Name: string;
  State: { Status: string; Paused: boolean };
  NetworkSettings: { Networks: Record<string, { IPAddress: string }>; Ports: Record<string, unknown> };
  Kubelet: string;
}
const state = () =>
  new Map(
    (JSON.parse(readFileSync(stateFile, 'utf8')) as { containers: DoubleContainer[] }).containers.map((x) => [
      x.Name.slice(1),
      x,
    ]),
  );
const calls = (): string[] =>
  readFileSync(logFile, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => (JSON.parse(l) as string[]).join(' '));
/** Calls that change something (not ps, inspect or systemctl is-active). */
const changes = () => calls().filter((l) => !/^(ps|inspect) |is-active/.test(l));
const statusOf = (name: string) => {
  const x = state().get(name)!;
  return `${x.State.Status}${x.NetworkSettings.Networks.kind ? '' : ',no-net'}${x.Kubelet === 'active' ? '' : ',kubelet-down'}`;
};

function spec(mode: ZoneFaultMode, zone = 'zone-a'): ResolvedZoneOutage {
  return {
    kind: 'zone-outage',
    zone,
    mode,
    provider: 'kind',
    allowTotalOutage: false,
    kindOptions: { cluster: 'gauntlet' },
  };
}
const registry = (): ZoneProviderRegistry => ({
  kind: (client, s) =>
    createKindZoneProvider(client, { cluster: s?.kindOptions?.cluster ?? 'gauntlet', env }),
});

beforeAll(async () => {
  c = await startTestCluster('zone-kind-');
  for (const node of c.store.list('nodes').items) c.store.delete('nodes', undefined, node.metadata.name!);
  for (const [name, zone, ip] of KIND_NODES)
    c.store.create('nodes', {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: {
        name,
        labels: { 'kubernetes.io/hostname': name, ...(zone ? { 'topology.kubernetes.io/zone': zone } : {}) },
      },
      status: {
        conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady' }],
        addresses: [
          { type: 'InternalIP', address: ip },
          { type: 'Hostname', address: name },
        ],
      },
    });
});
afterAll(async () => c?.close());

beforeEach(() => {
  n++;
  stateFile = path.join(c.dir, `docker-state-${n}.json`);
  logFile = path.join(c.dir, `docker-calls-${n}.jsonl`);
  copyFileSync(path.join(fixtures, 'kind-gauntlet.json'), stateFile);
  // The fixture's control plane publishes the API server on the port of the in-process one.
  const port = new URL(c.client.server).port;
  writeFileSync(stateFile, readFileSync(stateFile, 'utf8').replace('"40123"', JSON.stringify(port)));
  writeFileSync(logFile, '');
  env = {
    ...process.env,
    PATH: `${path.join(fixtures, 'bin')}${path.delimiter}${process.env.PATH ?? ''}`,
    DOCKER_DOUBLE_STATE: stateFile,
    DOCKER_DOUBLE_LOG: logFile,
  };
});

describe('the kind zone provider', () => {
  it.each([
    [
      'stop',
      ['stop --time 0 gauntlet-worker', 'stop --time 0 gauntlet-worker2'],
      'exited',
      ['start gauntlet-worker', 'start gauntlet-worker2'],
    ],
    [
      'pause',
      ['pause gauntlet-worker', 'pause gauntlet-worker2'],
      'paused',
      ['unpause gauntlet-worker', 'unpause gauntlet-worker2'],
    ],
    [
      'partition',
      ['network disconnect --force kind gauntlet-worker', 'network disconnect --force kind gauntlet-worker2'],
      'running,no-net',
      [
        'network connect --ip 172.18.0.3 kind gauntlet-worker',
        'network connect --ip 172.18.0.4 kind gauntlet-worker2',
      ],
    ],
    [
      'kubelet-down',
      [
        'exec gauntlet-worker systemctl stop kubelet.service',
        'exec gauntlet-worker2 systemctl stop kubelet.service',
      ],
      'running,kubelet-down',
      [
        'exec gauntlet-worker systemctl start kubelet.service',
        'exec gauntlet-worker2 systemctl start kubelet.service',
      ],
    ],
  ] as const)('%s: takes exactly the zone down and brings it back', async (mode, down, status, up) => {
    const provider = createKindZoneProvider(c.client, { cluster: 'gauntlet', env });
    const handle = (await provider.inject('zone-a', mode, quiet)) as KindZoneHandle;
    expect(calls()[0]).toBe('ps --all --filter label=io.x-k8s.kind.cluster=gauntlet --format {{.Names}}');
    expect(changes().sort()).toEqual([...down].sort());
    expect([statusOf('gauntlet-worker'), statusOf('gauntlet-worker2')]).toEqual([status, status]);
    for (const other of ['gauntlet-control-plane', 'gauntlet-worker3', 'gauntlet-worker6', 'other-worker'])
      expect(statusOf(other)).toBe('running');
    expect(handle).toMatchObject({
      provider: 'kind',
      zone: 'zone-a',
      mode,
      cluster: 'gauntlet',
      network: 'kind',
      containers: [
        { name: 'gauntlet-worker', ipv4: '172.18.0.3' },
        { name: 'gauntlet-worker2', ipv4: '172.18.0.4' },
      ],
    });
    expect(Date.parse(handle.startedAt)).toBeGreaterThan(Date.now() - 60_000);

    const logs: string[] = [];
    await provider.revert(handle, { ...quiet, log: (m) => void logs.push(m) });
    expect(changes().slice(down.length).sort()).toEqual([...up].sort());
    expect(statusOf('gauntlet-worker')).toBe('running');
    expect(statusOf('gauntlet-worker2')).toBe('running');
    // Idempotent: a second revert finds nothing to do and changes nothing.
    const before = changes().length;
    await provider.revert(handle, quiet);
    expect(changes().length).toBe(before);
    expect(logs.join('\n')).toMatch(/zone zone-a \(.*kind cluster gauntlet\)/);
  });

  it('refuses a context whose API server is another cluster, before touching anything', async () => {
    const provider = createKindZoneProvider(c.client, { cluster: 'other', env });
    const err = await provider.inject('zone-a', 'stop', quiet).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ZoneFaultRejected);
    expect((err as Error).message).toMatch(
      /is not kind cluster other, whose API server is published on port\(s\) 40999; point --context at kind-other or set kindOptions.cluster/,
    );
    expect(changes()).toEqual([]);
  });

  it('refuses the control plane, a zone without nodes and a context it cannot name', async () => {
    const provider = createKindZoneProvider(c.client, { cluster: 'gauntlet', env });
    c.store.patch('nodes', '', 'gauntlet-control-plane', 'merge', {
      metadata: { labels: { 'topology.kubernetes.io/zone': 'zone-c' } },
    });
    try {
      await expect(provider.inject('zone-c', 'stop', quiet)).rejects.toThrow(
        /zone-c holds the control plane \(gauntlet-control-plane\); .* pick a zone of workers/,
      );
    } finally {
      c.store.patch('nodes', '', 'gauntlet-control-plane', 'merge', {
        metadata: { labels: { 'topology.kubernetes.io/zone': null } },
      });
    }
    await expect(provider.inject('zone-x', 'stop', quiet)).rejects.toThrow(/no node is in zone zone-x/);
    const unnamed = createKindZoneProvider(c.client, { env });
    await expect(unnamed.inject('zone-a', 'stop', quiet)).rejects.toThrow(
      new RegExp(
        `context "${c.client.contextName}" is not a kind context \\(kind-<name>\\); set kindOptions.cluster`,
      ),
    );
    expect(changes()).toEqual([]);
  });

  it('refuses a node that is already down rather than stacking faults', async () => {
    const provider = createKindZoneProvider(c.client, { cluster: 'gauntlet', env });
    const first = await provider.inject('zone-b', 'pause', quiet);
    await expect(provider.inject('zone-b', 'stop', quiet)).rejects.toThrow(
      /gauntlet-worker3 is already paused; recover it first/,
    );
    await provider.revert(first, quiet);
    expect(statusOf('gauntlet-worker3')).toBe('running');
  });

  it('brings back the half of a zone that went down when the other half fails', async () => {
    env.DOCKER_DOUBLE_FAIL = 'stop:gauntlet-worker4';
    const provider = createKindZoneProvider(c.client, { cluster: 'gauntlet', env });
    const err = await provider.inject('zone-b', 'stop', quiet).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ZoneFaultRejected);
    expect((err as Error).message).toMatch(
      /docker stop --time 0 gauntlet-worker4: exit 1: .*injected failure; the other nodes of zone-b were brought back/,
    );
    expect(changes().sort()).toEqual([
      'start gauntlet-worker3',
      'stop --time 0 gauntlet-worker3',
      'stop --time 0 gauntlet-worker4',
    ]);
    expect(statusOf('gauntlet-worker3')).toBe('running');
  });

  it('says what it will do in the dry-run plan, without a cluster', () => {
    const entries = parseChaosSchedule([
      {
        at: '10s',
        duration: '30s',
        action: {
          kind: 'zone-outage',
          provider: 'kind',
          mode: 'partition',
          kindOptions: { cluster: 'gauntlet' },
        },
      },
    ]);
    const text = chaosPlanText(entries, target, { deps: { zoneProviders: { kind: kindZoneProvider } } });
    expect(text).toContain(
      "zone-outage — take the zone hosting most pods of default/api down ('partition' on every node of it, provider kind: " +
        '`docker network disconnect` the node containers of kind cluster gauntlet in the zone hosting most pods of default/api ' +
        '(label io.x-k8s.kind.cluster, nodes by topology.kubernetes.io/zone), reconnect them with their addresses on revert); recover it on revert',
    );
  });

  it('validates kindOptions with messages naming the field and the fix', () => {
    const problem = (action: unknown) => {
      try {
        parseChaosSchedule([{ action }], { source: 'x.ts' });
      } catch (err) {
        return (err as Error).message;
      }
      return 'valid';
    };
    expect(problem({ kind: 'zone-outage', kindOptions: { cluster: 'gauntlet' } })).toBe(
      "x.ts: invalid scenario: chaos[0].action.kindOptions: only used with provider 'kind'; drop it or set provider: 'kind'",
    );
    expect(problem({ kind: 'zone-outage', provider: 'kind', kindOptions: { cluster: 'Bad_Name' } })).toMatch(
      /chaos\[0\]\.action\.kindOptions\.cluster: cluster must be a kind cluster name such as 'gauntlet'/,
    );
    expect(problem({ kind: 'zone-outage', provider: 'kind', kindOptions: { name: 'x' } })).toMatch(
      /chaos\[0\]\.action\.kindOptions: unknown field 'name'/,
    );
    expect(problem({ kind: 'zone-outage', provider: 'kind' })).toBe('valid');
  });
});

describe('zone-outage on kind through the journal', () => {
  it('holds the zone down for the entry, reverts it, and closes the journal entry', async () => {
    const journal = await ChaosJournal.open(path.join(c.dir, `run-${n}.jsonl`));
    const rec = recorder();
    const result = await runChaosSchedule({
      client: c.client,
      target,
      entries: parseChaosSchedule([
        {
          at: 0,
          duration: '300ms',
          action: {
            kind: 'zone-outage',
            zone: 'zone-c',
            mode: 'stop',
            provider: 'kind',
            kindOptions: { cluster: 'gauntlet' },
          },
        },
      ]),
      runId: 'kind-run',
      clock: { now: () => 0 },
      signal: new AbortController().signal,
      journal,
      emit: rec.emit,
      zoneProviders: registry(),
    });
    expect(result.occurrences[0]).toMatchObject({ completed: true, reverted: true });
    expect(changes().sort()).toEqual([
      'start gauntlet-worker5',
      'start gauntlet-worker6',
      'stop --time 0 gauntlet-worker5',
      'stop --time 0 gauntlet-worker6',
    ]);
    const [entry] = await readJournal(journal.file);
    expect(entry).toMatchObject({
      reverted: true,
      undo: [
        {
          kind: 'zone-recover',
          handle: {
            provider: 'kind',
            zone: 'zone-c',
            cluster: 'gauntlet',
            containers: [{ name: 'gauntlet-worker5' }, { name: 'gauntlet-worker6' }],
          },
        },
      ],
    });
    expect(rec.spans()[0]!.detail).toMatchObject({
      provider: 'kind',
      zone: 'zone-c',
      faultStartedAt: expect.any(String),
    });
  });

  /** A ten-minute pause of zone-b through the kind provider, started with an abort handle. */
  async function startZonePause(runId: string) {
    const journal = await ChaosJournal.open(path.join(c.dir, `${runId}-${n}.jsonl`));
    const ac = new AbortController();
    const rec = recorder();
    const pending = runChaosSchedule({
      client: c.client,
      target,
      entries: parseChaosSchedule([
        {
          at: 0,
          duration: '10m',
          action: { kind: 'zone-outage', zone: 'zone-b', mode: 'pause', provider: 'kind' },
        },
      ]),
      runId,
      clock: { now: () => 0 },
      signal: ac.signal,
      journal,
      emit: rec.emit,
      zoneProviders: registry(),
    });
    return { ac, rec, pending, journal };
  }

  it('reverts at once when the run is aborted mid-hold', async () => {
    const { ac, rec, pending } = await startZonePause('kind-abort');
    // The hold starts once the provider has answered and the zone is reported down.
    const deadline = Date.now() + 20_000;
    while (!rec.events().some((e) => e.object === 'zone/zone-b') && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 20));
    expect([statusOf('gauntlet-worker3'), statusOf('gauntlet-worker4')]).toEqual(['paused', 'paused']);
    ac.abort();
    const result = await pending;
    expect(result.occurrences[0]).toMatchObject({ completed: false, reverted: true, error: 'aborted' });
    expect(statusOf('gauntlet-worker3')).toBe('running');
    expect(statusOf('gauntlet-worker4')).toBe('running');
  });

  it('brings back what went down when the run is aborted while docker is still answering', async () => {
    // worker4 is paused, but its `docker pause` answers late: the abort lands inside inject, the
    // provider never answers, and revert finds the zone's containers from the API.
    env.DOCKER_DOUBLE_SLOW = 'pause:gauntlet-worker4';
    const { ac, rec, pending, journal } = await startZonePause('kind-abort-inject');
    const deadline = Date.now() + 20_000;
    while (
      !(statusOf('gauntlet-worker3') === 'paused' && statusOf('gauntlet-worker4') === 'paused') &&
      Date.now() < deadline
    )
      await new Promise((r) => setTimeout(r, 20));
    ac.abort();
    const result = await pending;
    expect(result.occurrences[0]).toMatchObject({ completed: false, reverted: true, error: 'aborted' });
    expect(result.occurrences[0]!.revertError).toBeUndefined();
    expect(rec.events().filter((e) => e.object === 'zone/zone-b' && /^down/.test(e.message))).toEqual([]);
    expect(statusOf('gauntlet-worker3')).toBe('running');
    expect(statusOf('gauntlet-worker4')).toBe('running');
    const [entry] = await readJournal(journal.file);
    expect(entry).toMatchObject({
      reverted: true,
      undo: [{ kind: 'zone-recover', handle: { provider: 'kind', zone: 'zone-b', cluster: 'gauntlet' } }],
    });
    expect(entry!.undo[0]).not.toHaveProperty('handle.containers');
  });

  it('recovers what a killed run left, from the handle in its journal', async () => {
    const action = new ZoneOutage(spec('partition', 'zone-b'), target, registry());
    const file = path.join(c.dir, `killed-${n}.jsonl`);
    const { ctx } = await directContext(c, target, action, file, { runId: 'killed' });
    await action.inject(ctx);
    // The process "dies" here.
    expect(statusOf('gauntlet-worker3')).toBe('running,no-net');
    const report = await recoverFromJournal(c.client, file, { zoneProviders: registry() });
    expect(report.entries).toEqual([
      expect.objectContaining({ status: 'recovered', notes: ['zone zone-b recovered (kind, partition)'] }),
    ]);
    expect(
      changes()
        .filter((l) => l.startsWith('network connect'))
        .sort(),
    ).toEqual([
      'network connect --ip 172.18.0.5 kind gauntlet-worker3',
      'network connect --ip 172.18.0.6 kind gauntlet-worker4',
    ]);
    expect((await readJournal(file))[0]!.reverted).toBe(true);
  });

  it('recovers a zone whose fault was asked for but never answered, from the API alone', async () => {
    // Journalled before the provider answered (no id, no containers), then the run died while
    // docker disconnected the zone: the addresses come from the nodes' InternalIP.
    const provider = createKindZoneProvider(c.client, { cluster: 'gauntlet', env });
    await provider.inject('zone-c', 'partition', quiet);
    writeFileSync(logFile, '');
    const file = path.join(c.dir, `no-answer-${n}.jsonl`);
    const journal = await ChaosJournal.open(file);
    const guard = journal.guard(
      {
        runId: 'no-answer',
        action: 'zone-outage',
        server: c.client.server,
        context: c.client.contextName,
        target,
      },
      () => null,
    );
    await guard.checkpoint(c.client, {
      action: 'zone-outage',
      objects: [],
      undo: [{ kind: 'zone-recover', handle: { provider: 'kind', zone: 'zone-c', mode: 'partition' } }],
    });
    const report = await recoverFromJournal(c.client, file, { zoneProviders: registry() });
    expect(report.entries[0]).toMatchObject({ status: 'recovered' });
    expect(changes().sort()).toEqual([
      'network connect --ip 172.18.0.7 kind gauntlet-worker5',
      'network connect --ip 172.18.0.8 kind gauntlet-worker6',
    ]);
    expect(statusOf('gauntlet-worker5')).toBe('running');
  });
});
