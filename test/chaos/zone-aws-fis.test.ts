/**
 * zone-outage through the `aws-fis` provider with FisClient mocked by aws-sdk-client-mock (no
 * request leaves the process): a small stateful stand-in for FIS plays each experiment through a
 * scripted list of states, so inject, revert, abort and recover are checked against every state an
 * experiment takes, including one that fails and one a stop-condition alarm stops mid-run. The
 * shipped templates are built and checked, and the harness IAM policy must allow every call made.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { mockClient } from 'aws-sdk-client-mock';
import {
  CreateExperimentTemplateCommand,
  DeleteExperimentTemplateCommand,
  FisClient,
  GetExperimentCommand,
  ListExperimentResolvedTargetsCommand,
  ListExperimentsCommand,
  ListExperimentTemplatesCommand,
  ResourceNotFoundException,
  StartExperimentCommand,
  StopExperimentCommand,
  ValidationException,
  type CreateExperimentTemplateCommandInput,
  type Experiment,
} from '@aws-sdk/client-fis';
import { ChaosJournal, readJournal } from '../../chaos/journal.ts';
import { parseChaosSchedule } from '../../chaos/parse.ts';
import { recoverFromJournal } from '../../chaos/recover.ts';
import { chaosPlanText } from '../../chaos/safety.ts';
import { runChaosSchedule } from '../../chaos/schedule.ts';
import { defaultZoneProviders } from '../../chaos/undo.ts';
import { ZoneOutage } from '../../chaos/zone-outage.ts';
import { createAwsFisZoneProvider, type AwsFisZoneHandle } from '../../chaos/zone/aws-fis.ts';
import {
  buildZoneTemplate,
  FIS_TEMPLATE_DIR,
  isoDuration,
  templateFilePath,
  templateProblems,
} from '../../chaos/zone/aws-fis-template.ts';
import { ZoneFaultRejected, type ZoneProviderRegistry } from '../../chaos/zone/provider.ts';
import { ChaosActionError } from '../../chaos/k8s.ts';
import type { ChaosTarget } from '../../chaos/action.ts';
import type { ClusterClient } from '../../lib/cluster/client.ts';
import type { ResolvedZoneOutage } from '../../lib/scenario/chaos-schema.ts';
import { FIS_TEMPLATES, type FisTemplateName } from '../../lib/scenario/zone-provider-schema.ts';
import { directContext, recorder, startTestCluster, type TestCluster } from './cluster.ts';

// Belt and braces: should a call ever get past the mock, it goes to a closed loopback port.
process.env.AWS_ENDPOINT_URL_FIS = 'http://127.0.0.1:9';
process.env.AWS_ACCESS_KEY_ID = 'AKIDTEST';
process.env.AWS_SECRET_ACCESS_KEY = 'test-secret';

const ROLE = 'arn:aws:iam::123456789012:role/gauntlet-fis';
const ALARM = 'arn:aws:cloudwatch:eu-west-1:123456789012:alarm:novel-engine-5xx';
const target: ChaosTarget = { namespace: 'default', deployment: 'api', selector: 'app=api' };
const fast = {
  region: 'eu-west-1',
  cluster: 'gauntlet',
  roleArn: ROLE,
  pollIntervalMs: 5,
  alarmArns: [ALARM],
};
const logs: string[] = [];
const ctx = () => ({ log: (m: string) => void logs.push(m), signal: new AbortController().signal });

/** One step of an experiment's life: its status, and the fault action's (with a start time once it ran). */
type Step = [status: string, action?: string, reason?: string];

/** A stand-in for FIS behind the mock: templates, experiments walking through scripted steps. */
const fis = mockClient(FisClient);
let script: Step[];
let templates: Map<string, CreateExperimentTemplateCommandInput>;
let experiments: Map<
  string,
  { steps: Step[]; at: number; stopped: boolean; templateId: string; tags: Record<string, string> }
>;
let startError: Error | undefined;
let n = 0;
const sent = new Set<string>();
const T0 = new Date('2026-11-20T10:00:00Z');
const ACTION_START = new Date('2026-11-20T10:00:42Z');

function snapshot(id: string): Experiment {
  const e = experiments.get(id)!;
  const [status, action, reason] = e.steps[Math.min(e.at, e.steps.length - 1)]!;
  const started = action === 'running' || action === 'completed';
  return {
    id,
    experimentTemplateId: e.templateId,
    state: { status: status as never, ...(reason ? { reason } : {}) },
    creationTime: T0,
    ...(status !== 'pending' && status !== 'initiating'
      ? { startTime: new Date(T0.getTime() + 30_000) }
      : {}),
    actions: {
      'Stop-Instances': {
        actionId: 'aws:ec2:stop-instances',
        state: { status: (action ?? 'pending') as never },
        ...(started ? { startTime: ACTION_START } : {}),
      },
    },
    tags: e.tags,
  };
}

function installFakeFis(): void {
  fis.reset();
  templates = new Map();
  experiments = new Map();
  startError = undefined;
  n = 0;
  fis.on(CreateExperimentTemplateCommand).callsFake(async (input: CreateExperimentTemplateCommandInput) => {
    sent.add('CreateExperimentTemplate');
    const id = `EXT${++n}`;
    templates.set(id, input);
    return { experimentTemplate: { id, tags: input.tags } };
  });
  fis
    .on(StartExperimentCommand)
    .callsFake(async (input: { experimentTemplateId: string; tags: Record<string, string> }) => {
      sent.add('StartExperiment');
      if (startError) throw startError;
      const id = `EXP${++n}`;
      experiments.set(id, {
        steps: script,
        at: 0,
        stopped: false,
        templateId: input.experimentTemplateId,
        tags: input.tags,
      });
      return { experiment: snapshot(id) };
    });
  fis.on(GetExperimentCommand).callsFake(async (input: { id: string }) => {
    sent.add('GetExperiment');
    const e = experiments.get(input.id);
    if (!e)
      throw new ResourceNotFoundException({ message: `experiment ${input.id} not found`, $metadata: {} });
    e.at++;
    return { experiment: snapshot(input.id) };
  });
  fis.on(StopExperimentCommand).callsFake(async (input: { id: string }) => {
    sent.add('StopExperiment');
    const e = experiments.get(input.id)!;
    e.stopped = true;
    // FIS runs its clean-up (start the instances again) before the experiment is stopped.
    const now = Math.min(e.at, e.steps.length - 1);
    e.steps = [
      ...e.steps.slice(0, now + 1),
      ['stopping', 'stopping'],
      ['stopped', 'stopped', 'Experiment stopped'],
    ];
    e.at = now;
    return { experiment: snapshot(input.id) };
  });
  fis.on(DeleteExperimentTemplateCommand).callsFake(async (input: { id: string }) => {
    sent.add('DeleteExperimentTemplate');
    if (!templates.delete(input.id))
      throw new ResourceNotFoundException({ message: `template ${input.id} not found`, $metadata: {} });
    return { experimentTemplate: { id: input.id } };
  });
  fis.on(ListExperimentsCommand).callsFake(async () => {
    sent.add('ListExperiments');
    return {
      experiments: [...experiments.keys()].map((id) => {
        const s = snapshot(id);
        return { id, experimentTemplateId: s.experimentTemplateId, state: s.state, tags: s.tags };
      }),
    };
  });
  fis.on(ListExperimentTemplatesCommand).callsFake(async () => {
    sent.add('ListExperimentTemplates');
    return { experimentTemplates: [...templates].map(([id, t]) => ({ id, tags: t.tags })) };
  });
  fis.on(ListExperimentResolvedTargetsCommand).callsFake(async () => {
    sent.add('ListExperimentResolvedTargets');
    return {
      resolvedTargets: [
        {
          resourceType: 'aws:ec2:instance',
          targetName: 'Nodes-In-AZ',
          targetInformation: { identifier: 'i-0a1' },
        },
        {
          resourceType: 'aws:ec2:instance',
          targetName: 'Nodes-In-AZ',
          targetInformation: { identifier: 'i-0a2' },
        },
      ],
    };
  });
}

const provider = (options = {}) =>
  createAwsFisZoneProvider({ contextName: 'ci', server: 'https://127.0.0.1:6443' } as ClusterClient, {
    ...fast,
    ...options,
  });
const calls = () => fis.calls().map((c) => (c.args[0] as object).constructor.name.replace(/Command$/, ''));
const RUNNING: Step[] = [['initiating'], ['initiating'], ['running', 'pending'], ['running', 'running']];

beforeEach(() => {
  script = RUNNING;
  logs.length = 0;
  installFakeFis();
});
afterAll(() => fis.restore());

describe('the FIS templates in infra-fixtures/aws', () => {
  const files = readdirSync(FIS_TEMPLATE_DIR).filter((f) => f.endsWith('.json'));

  it('are exactly the ones the scenario schema offers, each for its mode', () => {
    expect(files.map((f) => f.replace(/\.json$/, '')).sort()).toEqual(Object.keys(FIS_TEMPLATES).sort());
  });

  it.each(Object.entries(FIS_TEMPLATES) as Array<[FisTemplateName, (typeof FIS_TEMPLATES)[FisTemplateName]]>)(
    '%s builds a valid template for one zone',
    (name, mode) => {
      const built = buildZoneTemplate(templateFilePath(name), {
        zone: 'eu-west-1b',
        mode,
        cluster: 'gauntlet',
        roleArn: ROLE,
        maxDurationMs: 20 * 60_000,
        alarmArns: [ALARM],
        logGroupArn: 'arn:aws:logs:eu-west-1:123456789012:log-group:fis:*',
      });
      const text = JSON.stringify(built.input);
      expect(text).not.toMatch(/\{\{/);
      expect(text).toContain('eu-west-1b');
      expect(built.input).toMatchObject({
        roleArn: ROLE,
        stopConditions: [{ source: 'aws:cloudwatch:alarm', value: ALARM }],
        logConfiguration: { logSchemaVersion: 2 },
        tags: { 'gauntlet.dev/zone-fault': `eu-west-1b/${mode}`, 'gauntlet.dev/cluster': 'gauntlet' },
      });
      expect(templateProblems(built.input, built.faultAction)).toEqual([]);
      expect(built.summary).not.toMatch(/\{\{/);
      // Every target a zone fault selects is narrowed to the cluster by a tag.
      for (const t of Object.values(built.input.targets ?? {}))
        expect(JSON.stringify(t.resourceTags)).toContain('gauntlet');
    },
  );

  it("the AZ power interruption stops the zone's nodes for maxDuration at most", () => {
    const built = buildZoneTemplate(templateFilePath('az-power-interruption'), {
      zone: 'eu-west-1a',
      mode: 'stop',
      cluster: 'gauntlet',
      roleArn: ROLE,
      maxDurationMs: 3_600_000,
      alarmArns: [],
      logGroupArn: null,
    });
    expect(built.input.stopConditions).toEqual([{ source: 'none' }]);
    expect(built.input.actions!['Stop-Instances']!.parameters).toEqual({
      startInstancesAfterDuration: 'PT1H',
      completeIfInstancesTerminated: 'true',
    });
    expect(built.input.targets!['Nodes-In-AZ']!.filters).toContainEqual({
      path: 'Placement.AvailabilityZone',
      values: ['eu-west-1a'],
    });
    expect(isoDuration(90 * 60_000)).toBe('PT90M');
  });

  it('finds the mistakes FIS would reject', () => {
    const problems = templateProblems(
      {
        description: 'x',
        roleArn: ROLE,
        stopConditions: [{ source: 'none' }],
        targets: { Subnets: { resourceType: 'aws:ec2:instance', selectionMode: 'SOME' } },
        actions: {
          Cut: {
            actionId: 'aws:network:disrupt-connectivity',
            parameters: { duration: '5m' },
            targets: { Instances: 'Subnets', Other: 'Missing' },
            startAfter: ['Nope'],
          },
        },
      },
      'Stop-Instances',
    );
    expect(problems).toEqual([
      'actions: no action "Stop-Instances" (gauntlet.faultAction)',
      'targets.Subnets.selectionMode: ALL, COUNT(n) or PERCENT(n)',
      'actions.Cut.targets: aws:network:disrupt-connectivity takes "Subnets", not "Instances"',
      'actions.Cut: aws:network:disrupt-connectivity acts on aws:ec2:subnet, target "Subnets" is aws:ec2:instance',
      'actions.Cut.targets.Other: no target "Missing"',
      'actions.Cut.targets: aws:network:disrupt-connectivity takes "Subnets", not "Other"',
      'actions.Cut.parameters.duration: "5m" is not an ISO-8601 duration like PT30M',
      'actions.Cut.startAfter: no action "Nope"',
    ]);
  });
});

describe('the aws-fis zone provider', () => {
  it('creates, starts and polls until the fault action runs; its start time is the fault time', async () => {
    const handle = (await provider().inject('eu-west-1a', 'stop', ctx())) as AwsFisZoneHandle;
    expect(calls()).toEqual([
      'CreateExperimentTemplate',
      'StartExperiment',
      'GetExperiment',
      'GetExperiment',
      'GetExperiment',
      'ListExperimentResolvedTargets',
    ]);
    const [create] = fis.commandCalls(CreateExperimentTemplateCommand);
    expect(create!.args[0].input).toMatchObject({
      roleArn: ROLE,
      stopConditions: [{ source: 'aws:cloudwatch:alarm', value: ALARM }],
      targets: { 'Nodes-In-AZ': { resourceTags: { 'eks:cluster-name': 'gauntlet' } } },
      tags: { 'gauntlet.dev/zone-fault': 'eu-west-1a/stop', 'gauntlet.dev/cluster': 'gauntlet' },
    });
    expect(fis.commandCalls(StartExperimentCommand)[0]!.args[0].input).toMatchObject({
      experimentTemplateId: 'EXT1',
      clientToken: expect.any(String),
      tags: { 'gauntlet.dev/zone-fault': 'eu-west-1a/stop' },
    });
    expect(handle).toEqual({
      provider: 'aws-fis',
      zone: 'eu-west-1a',
      mode: 'stop',
      id: 'EXP2',
      region: 'eu-west-1',
      cluster: 'gauntlet',
      templateId: 'EXT1',
      startedAt: ACTION_START.toISOString(),
      experimentStartedAt: new Date(T0.getTime() + 30_000).toISOString(),
      faultAction: 'Stop-Instances',
      resolvedTargets: ['i-0a1', 'i-0a2'],
    });
    expect(logs.join('\n')).toMatch(/Stop-Instances running since 2026-11-20T10:00:42.000Z on i-0a1, i-0a2/);
  });

  it('revert stops the experiment, waits for FIS to bring the zone back, and deletes the template', async () => {
    const p = provider();
    const handle = await p.inject('eu-west-1a', 'stop', ctx());
    fis.resetHistory();
    await p.revert(handle, ctx());
    expect(calls()).toEqual([
      'GetExperiment',
      'StopExperiment',
      'GetExperiment',
      'GetExperiment',
      'DeleteExperimentTemplate',
    ]);
    expect(templates.size).toBe(0);
    expect(logs.at(-1)).toBe('zone eu-west-1a: experiment EXP2 stopped; FIS brought the zone back');
    // Again: the experiment is over and the template gone; nothing is stopped twice.
    fis.resetHistory();
    await p.revert(handle, ctx());
    expect(calls()).toEqual(['GetExperiment', 'DeleteExperimentTemplate']);
  });

  it('reports an experiment its alarm stopped mid-run, and one that failed mid-run', async () => {
    const p = provider();
    script = [...RUNNING, ['stopped', 'stopped', 'Experiment stopped by stop condition']];
    const stopped = await p.inject('eu-west-1a', 'stop', ctx());
    fis.resetHistory();
    await p.revert(stopped, ctx());
    expect(calls()).toEqual(['GetExperiment', 'DeleteExperimentTemplate']);
    expect(logs.at(-1)).toMatch(
      /experiment EXP2 had already ended stopped: Experiment stopped by stop condition \(a stop-condition alarm fired, or someone stopped it\); the zone came back early/,
    );

    script = [...RUNNING, ['failed', 'failed', 'Unable to start instances: i-0a1']];
    const failed = await p.inject('eu-west-1a', 'stop', ctx());
    await p.revert(failed, ctx());
    expect(logs.at(-1)).toMatch(
      /experiment EXP\d+ failed: Unable to start instances: i-0a1; check the zone's instances/,
    );
    expect(templates.size).toBe(0);
  });

  it('takes a fault action that completes at once (terminated instances) as the fault, and revert cleans up', async () => {
    script = [['initiating'], ['completed', 'completed']];
    const p = provider();
    const handle = (await p.inject('eu-west-1a', 'stop', ctx())) as AwsFisZoneHandle;
    expect(handle.startedAt).toBe(ACTION_START.toISOString());
    fis.resetHistory();
    await p.revert(handle, ctx());
    expect(calls()).toEqual(['GetExperiment', 'DeleteExperimentTemplate']);
    expect(logs.at(-1)).toBe('zone eu-west-1a: experiment EXP2 had already ended completed');
  });

  it.each([
    [
      [['initiating'], ['failed', 'failed', 'Insufficient permissions']],
      ChaosActionError,
      /experiment EXP2 failed before Stop-Instances started: Insufficient permissions/,
    ],
    [
      [['initiating'], ['stopped', 'cancelled', 'Experiment stopped by stop condition']],
      ChaosActionError,
      /was stopped before Stop-Instances started: Experiment stopped by stop condition \(a stop-condition alarm may have fired\)/,
    ],
    [
      [['pending'], ['cancelled', 'cancelled', 'Safety lever engaged']],
      ZoneFaultRejected,
      /FIS cancelled experiment EXP2: Safety lever engaged; the account's safety lever may be engaged; nothing ran/,
    ],
    [
      [['initiating'], ['running', 'skipped']],
      ZoneFaultRejected,
      /FIS found nothing to hit in eu-west-1a: action Stop-Instances was skipped/,
    ],
  ] as Array<[Step[], new (...args: never[]) => Error, RegExp]>)(
    'inject through %j ends in %o',
    async (steps, type, message) => {
      script = steps;
      const err = await provider()
        .inject('eu-west-1a', 'stop', ctx())
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(type);
      expect((err as Error).message).toMatch(message);
      // A refusal leaves nothing behind; anything else is left to revert, which finds it by its tags.
      if ((type as unknown) === ZoneFaultRejected) expect(templates.size).toBe(0);
    },
  );

  it('a refused request injects nothing and leaves no template', async () => {
    startError = new ValidationException({
      message: 'Role is not assumable by fis.amazonaws.com',
      $metadata: {},
    });
    await expect(provider().inject('eu-west-1a', 'stop', ctx())).rejects.toThrow(
      /StartExperiment from template EXT1: ValidationException: Role is not assumable/,
    );
    expect(templates.size).toBe(0);
    expect(calls()).toEqual(['CreateExperimentTemplate', 'StartExperiment', 'DeleteExperimentTemplate']);
  });

  it('stops an experiment that never gets going, within startTimeout', async () => {
    script = [['initiating']];
    const err = await provider({ startTimeoutMs: 60 })
      .inject('eu-west-1a', 'stop', ctx())
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ChaosActionError);
    expect((err as Error).message).toMatch(
      /still initiating \(Stop-Instances pending\) after 0 s; stopped it/,
    );
    expect(calls()).toContain('StopExperiment');
  });

  it('takes region and cluster from an EKS context, and refuses options that point elsewhere', () => {
    const eks = {
      contextName: 'arn:aws:eks:eu-west-1:123456789012:cluster/gauntlet',
      server: 'https://ABC.gr7.eu-west-1.eks.amazonaws.com',
    } as ClusterClient;
    expect(createAwsFisZoneProvider(eks, { roleArn: ROLE }).preparedHandle!('eu-west-1a', 'stop')).toEqual({
      region: 'eu-west-1',
      cluster: 'gauntlet',
    });
    const eksctl = { contextName: 'ci@gauntlet.us-east-2.eksctl.io', server: 'https://x' } as ClusterClient;
    expect(createAwsFisZoneProvider(eksctl, { roleArn: ROLE }).preparedHandle!('a', 'stop')).toEqual({
      region: 'us-east-2',
      cluster: 'gauntlet',
    });
    expect(() =>
      createAwsFisZoneProvider(eks, { roleArn: ROLE, cluster: 'prod' }).preparedHandle!('a', 'stop'),
    ).toThrow(
      /awsFisOptions.cluster 'prod' is not the cluster of context "arn:aws:eks:eu-west-1:123456789012:cluster\/gauntlet" \('gauntlet'\)/,
    );
    const plain = { contextName: 'ci', server: 'https://127.0.0.1:6443' } as ClusterClient;
    expect(() =>
      createAwsFisZoneProvider(plain, { roleArn: ROLE, region: 'eu-west-1' }).preparedHandle!('a', 'stop'),
    ).toThrow(/cannot tell the EKS cluster of context "ci" .*; set awsFisOptions.cluster/);
  });

  it('says in the dry-run plan which experiment it will run', () => {
    const entries = parseChaosSchedule([
      {
        at: '20s',
        duration: '60s',
        action: {
          kind: 'zone-outage',
          zone: 'eu-west-1a',
          provider: 'aws-fis',
          awsFisOptions: { roleArn: ROLE, alarmArns: [ALARM] },
        },
      },
    ]);
    expect(chaosPlanText(entries, target)).toContain(
      "take eu-west-1a down ('stop' on every node of it, provider aws-fis: an FIS experiment from az-power-interruption.json: " +
        "power off the cluster's node instances in eu-west-1a (FIS starts them again when the experiment stops, or after 30m)",
    );
    expect(chaosPlanText(entries, target)).toContain(
      'stopped early by 1 CloudWatch alarm(s); StopExperiment on revert); recover it on revert',
    );
  });

  it('validates awsFisOptions with messages naming the field and the fix', () => {
    const problem = (action: unknown) => {
      try {
        parseChaosSchedule([{ action }], { source: 'x.ts' });
      } catch (err) {
        return (err as Error).message;
      }
      return 'valid';
    };
    const zone = { kind: 'zone-outage', provider: 'aws-fis' };
    expect(problem(zone)).toMatch(
      /chaos\[0\]\.action\.awsFisOptions: provider 'aws-fis' needs awsFisOptions.roleArn/,
    );
    expect(problem({ ...zone, mode: 'pause', awsFisOptions: { roleArn: ROLE } })).toMatch(
      /chaos\[0\]\.action\.mode: provider 'aws-fis' supports 'stop' and 'partition'/,
    );
    expect(
      problem({
        ...zone,
        mode: 'partition',
        awsFisOptions: { roleArn: ROLE, template: 'az-power-interruption' },
      }),
    ).toMatch(
      /chaos\[0\]\.action\.awsFisOptions\.template: 'az-power-interruption' is a 'stop' fault; set mode: 'stop'/,
    );
    expect(problem({ ...zone, awsFisOptions: { roleArn: 'gauntlet-fis' } })).toMatch(
      /chaos\[0\]\.action\.awsFisOptions\.roleArn: roleArn must be an IAM role ARN/,
    );
    expect(problem({ ...zone, awsFisOptions: { roleArn: ROLE, maxDuration: '90s' } })).toMatch(
      /chaos\[0\]\.action\.awsFisOptions\.maxDuration: maxDuration must be whole minutes from 1m to 12h/,
    );
    expect(problem({ kind: 'zone-outage', awsFisOptions: { roleArn: ROLE } })).toMatch(
      /only used with provider 'aws-fis'/,
    );
    expect(problem({ ...zone, mode: 'partition', awsFisOptions: { roleArn: ROLE } })).toBe('valid');
  });
});

describe('zone-outage on EKS through the journal', () => {
  let c: TestCluster;
  const registry: ZoneProviderRegistry = {
    'aws-fis': (client, s) =>
      createAwsFisZoneProvider(client, {
        ...s?.awsFisOptions,
        region: 'eu-west-1',
        cluster: 'gauntlet',
        pollIntervalMs: 5,
      }),
  };
  const spec = (zone: string): ResolvedZoneOutage => ({
    kind: 'zone-outage',
    zone,
    mode: 'stop',
    provider: 'aws-fis',
    allowTotalOutage: false,
    awsFisOptions: {
      roleArn: ROLE,
      region: null,
      cluster: null,
      template: 'az-power-interruption',
      templateFile: null,
      alarmArns: [],
      maxDurationMs: 1_800_000,
      logGroupArn: null,
      pollIntervalMs: 5_000,
      startTimeoutMs: 300_000,
      stopTimeoutMs: 600_000,
    },
  });
  beforeAll(async () => {
    c = await startTestCluster('zone-fis-');
  });
  afterAll(async () => c?.close());

  it('reverts by tags when the run is aborted while the experiment is still initiating', async () => {
    script = [['initiating']];
    // Someone else's experiment on another zone keeps running.
    experiments.set('EXP-OTHER', {
      steps: [['running', 'running']],
      at: 0,
      stopped: false,
      templateId: 'EXT-OTHER',
      tags: { 'gauntlet.dev/zone-fault': 'zone-b/stop', 'gauntlet.dev/cluster': 'gauntlet' },
    });
    const journal = await ChaosJournal.open(path.join(c.dir, 'abort.jsonl'));
    const ac = new AbortController();
    const pending = runChaosSchedule({
      client: c.client,
      target,
      entries: parseChaosSchedule([
        {
          duration: '10m',
          action: {
            kind: 'zone-outage',
            zone: 'zone-a',
            provider: 'aws-fis',
            awsFisOptions: { roleArn: ROLE },
          },
        },
      ]),
      runId: 'fis-abort',
      clock: { now: () => 0 },
      signal: ac.signal,
      journal,
      emit: () => undefined,
      zoneProviders: registry,
    });
    const deadline = Date.now() + 20_000;
    while (!calls().includes('GetExperiment') && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 5));
    ac.abort();
    const result = await pending;
    expect(result.occurrences[0]!.revertError).toBeUndefined();
    expect(result.occurrences[0]).toMatchObject({ completed: false, reverted: true, error: 'aborted' });
    expect(fis.commandCalls(StopExperimentCommand).map((x) => x.args[0].input.id)).toEqual(['EXP2']);
    expect(experiments.get('EXP-OTHER')!.stopped).toBe(false);
    expect(templates.size).toBe(0);
    const [entry] = await readJournal(journal.file);
    expect(entry!.undo).toEqual([
      {
        kind: 'zone-recover',
        handle: {
          provider: 'aws-fis',
          zone: 'zone-a',
          mode: 'stop',
          region: 'eu-west-1',
          cluster: 'gauntlet',
        },
      },
    ]);
  });

  const schedule = (zone: string, hold: string, signal: AbortSignal, journal: ChaosJournal) => {
    const rec = recorder();
    const pending = runChaosSchedule({
      client: c.client,
      target,
      entries: parseChaosSchedule([
        {
          duration: hold,
          action: { kind: 'zone-outage', zone, provider: 'aws-fis', awsFisOptions: { roleArn: ROLE } },
        },
      ]),
      runId: `fis-${zone}`,
      clock: { now: () => 0 },
      signal,
      journal,
      emit: rec.emit,
      log: (m) => void logs.push(m),
      zoneProviders: registry,
    });
    return { rec, pending };
  };

  it('stops the running experiment by its id when the run is aborted mid-hold', async () => {
    const journal = await ChaosJournal.open(path.join(c.dir, 'abort-hold.jsonl'));
    const ac = new AbortController();
    const { rec, pending } = schedule('zone-a', '10m', ac.signal, journal);
    const deadline = Date.now() + 20_000;
    while (!rec.events().some((e) => e.object === 'zone/zone-a') && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 5));
    ac.abort();
    const result = await pending;
    expect(result.occurrences[0]).toMatchObject({ completed: false, reverted: true, error: 'aborted' });
    expect(fis.commandCalls(StopExperimentCommand).map((x) => x.args[0].input.id)).toEqual(['EXP2']);
    expect(calls()).not.toContain('ListExperiments');
    expect(templates.size).toBe(0);
    const [entry] = await readJournal(journal.file);
    expect(entry).toMatchObject({
      reverted: true,
      undo: [{ kind: 'zone-recover', handle: { id: 'EXP2', startedAt: ACTION_START.toISOString() } }],
      detail: { faultStartedAt: ACTION_START.toISOString() },
    });
    expect(logs.join('\n')).toMatch(/experiment EXP2 stopped; FIS brought the zone back/);
  });

  it('reports an experiment its alarm stopped mid-hold, and still cleans up', async () => {
    script = [...RUNNING, ['stopped', 'stopped', 'Experiment stopped by stop condition']];
    const journal = await ChaosJournal.open(path.join(c.dir, 'alarm-hold.jsonl'));
    const { pending } = schedule('zone-c', '300ms', new AbortController().signal, journal);
    const result = await pending;
    expect(result.occurrences[0]).toMatchObject({ completed: true, reverted: true });
    expect(result.leftovers).toEqual([]);
    // Nothing left to stop: FIS ended it when the alarm fired.
    expect(calls()).not.toContain('StopExperiment');
    expect(templates.size).toBe(0);
    expect(logs.join('\n')).toMatch(
      /experiment EXP2 had already ended stopped: Experiment stopped by stop condition \(a stop-condition alarm fired, or someone stopped it\); the zone came back early/,
    );
    expect((await readJournal(journal.file))[0]!.reverted).toBe(true);
  });

  it('gauntlet recover stops what a killed run left, from the handle in its journal', async () => {
    const action = new ZoneOutage(spec('zone-b'), target, registry);
    const file = path.join(c.dir, 'killed.jsonl');
    const { ctx: actionCtx } = await directContext(c, target, action, file, { runId: 'killed' });
    await action.inject(actionCtx);
    expect(action.journalEntry().detail).toMatchObject({ faultStartedAt: ACTION_START.toISOString() });
    // The process "dies"; a new one recovers with the shipped registry and no scenario options.
    fis.resetHistory();
    const report = await recoverFromJournal(c.client, file, { zoneProviders: defaultZoneProviders });
    expect(report.entries).toEqual([
      expect.objectContaining({ status: 'recovered', notes: ['zone zone-b recovered (aws-fis, stop)'] }),
    ]);
    expect(calls()).toEqual([
      'GetExperiment',
      'StopExperiment',
      'GetExperiment',
      'GetExperiment',
      'DeleteExperimentTemplate',
    ]);
    expect((await readJournal(file))[0]!.reverted).toBe(true);
  });
});

describe('the IAM the harness needs (infra-fixtures/aws/iam)', () => {
  it('allows every FIS call the provider made in these tests, and passing the experiment role', () => {
    const policy = JSON.parse(
      readFileSync(path.join(FIS_TEMPLATE_DIR, 'iam/harness-policy.json'), 'utf8'),
    ) as {
      Statement: Array<{ Action: string | string[]; Resource: string | string[] }>;
    };
    const allowed = new Set(
      policy.Statement.flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action])),
    );
    expect([...sent].sort().filter((call) => !allowed.has(`fis:${call}`))).toEqual([]);
    // Every call the provider has, so a new one shows up here with the permission it needs.
    expect([...sent].sort()).toEqual([
      'CreateExperimentTemplate',
      'DeleteExperimentTemplate',
      'GetExperiment',
      'ListExperimentResolvedTargets',
      'ListExperimentTemplates',
      'ListExperiments',
      'StartExperiment',
      'StopExperiment',
    ]);
    expect(allowed).toContain('iam:PassRole');
    expect(allowed).toContain('fis:TagResource');
  });
});
