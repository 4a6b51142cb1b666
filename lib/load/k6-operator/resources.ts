/**
 * The objects a distributed run puts into the cluster, and what k6-operator makes of them
 * (grafana/k6-operator, api/v1alpha1/testrun_types.go, pkg/resources/jobs/runner.go):
 *
 *   - a ConfigMap holding the generated script under one key;
 *   - a k6.io/v1alpha1 TestRun naming it (`spec.script.configMap {name, file}`, mounted at
 *     /test/<file>) with `spec.parallelism` runners. The operator starts one Job per runner,
 *     `<name>-<i>` for i = 1..N, whose pod runs `k6 run --quiet --execution-segment … <arguments>
 *     /test/<file> --address=0.0.0.0:6565 --paused --tag instance_id=<i> --tag testrun_name=<name>`
 *     in a container named `k6`, labelled `app=k6, k6_cr=<name>, runner=true`; a starter pod
 *     unpauses them together. Jobs and Services are owned by the TestRun, so deleting it
 *     removes the runners.
 *
 * `spec.arguments` sends k6's JSON output to stdout (`--out json=-`), so each runner's pod log is
 * its output stream; k6's own log goes to stderr as JSON lines (`--log-format=json`), which the
 * pod log interleaves line by line and gauntlet tells apart. Only the system tags the parser reads
 * are kept, which roughly halves the log volume. The operator splits `arguments` on spaces, so no
 * value here may contain one.
 *
 * Everything carries `app.kubernetes.io/managed-by=gauntlet`, and the ConfigMap is owned by the
 * TestRun, so anything a killed gauntlet leaves behind goes with
 * `kubectl delete testruns.k6.io -l app.kubernetes.io/managed-by=gauntlet`. A run with a chaos
 * journal also annotates both with its mark (`gauntlet.dev/chaos`), so `gauntlet recover` deletes
 * exactly these objects.
 */
import type { KubernetesObject } from '@kubernetes/client-node';
import type { CreatedObject } from '../../../chaos/action.ts';
import { CHAOS_ANNOTATION } from '../../../chaos/journal.ts';

export const TESTRUN_GROUP = 'k6.io';
export const TESTRUN_VERSION = 'v1alpha1';
export const TESTRUN_PLURAL = 'testruns';
export const SCRIPT_FILE = 'script.js';
/** The runner container the operator creates. */
export const RUNNER_CONTAINER = 'k6';
export const MANAGED_BY = { 'app.kubernetes.io/managed-by': 'gauntlet' } as const;

/** System tags the output parser reads (status, outcome, error code, request name). */
const kSystemTags = ['status', 'method', 'name', 'scenario', 'error_code', 'expected_response'];

export const K6_OPERATOR_ARGUMENTS = [
  '--out',
  'json=-',
  '--log-format=json',
  '--no-color',
  `--system-tags=${kSystemTags.join(',')}`,
] as const;

/** Runner pods of one TestRun, as the operator labels them. */
export function runnerSelector(testRun: string): string {
  return `app=k6,k6_cr=${testRun},runner=true`;
}

/**
 * A fresh TestRun name: DNS-1035 (the operator names Services after it), short enough that
 * `<name>-service-<i>` stays within 63 characters.
 */
export function testRunName(scenario: string, nowMs = Date.now()): string {
  const slug = scenario
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 24)
    .replace(/-+$/g, '');
  return `gauntlet-${slug ? `${slug}-` : ''}${nowMs.toString(36)}`;
}

export interface TestRunSpecInput {
  readonly name: string;
  readonly namespace: string;
  readonly parallelism: number;
  readonly scenario: string;
  /** Runner image; default the operator's (grafana/k6). */
  readonly runnerImage?: string;
  readonly extraArguments?: readonly string[];
  /** The run's journal mark, set as the `gauntlet.dev/chaos` annotation on both objects. */
  readonly mark?: string;
}

const scenarioLabel = (s: string) =>
  s
    .replace(/[^A-Za-z0-9_.-]+/g, '_')
    .slice(0, 63)
    .replace(/^[^A-Za-z0-9]+|[^A-Za-z0-9]+$/g, '');

function labels(input: TestRunSpecInput): Record<string, string> {
  const scenario = scenarioLabel(input.scenario);
  return { ...MANAGED_BY, ...(scenario ? { 'gauntlet.dev/scenario': scenario } : {}) };
}

function metadata(input: TestRunSpecInput, name: string) {
  return {
    name,
    namespace: input.namespace,
    labels: labels(input),
    ...(input.mark ? { annotations: { [CHAOS_ANNOTATION]: input.mark } } : {}),
  };
}

export const scriptConfigMapName = (testRun: string) => `${testRun}-script`;

/** The two objects of a run, TestRun first: deleting it stops the runners before their script goes. */
export function runObjectRefs(namespace: string, name: string): CreatedObject[] {
  return [
    { apiVersion: `${TESTRUN_GROUP}/${TESTRUN_VERSION}`, kind: 'TestRun', namespace, name },
    { apiVersion: 'v1', kind: 'ConfigMap', namespace, name: scriptConfigMapName(name) },
  ];
}

export function scriptConfigMap(
  input: TestRunSpecInput,
  script: string,
): KubernetesObject & { data: Record<string, string> } {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: metadata(input, scriptConfigMapName(input.name)),
    data: { [SCRIPT_FILE]: script },
  };
}

export function testRunObject(input: TestRunSpecInput): KubernetesObject & { spec: Record<string, unknown> } {
  const args = [...K6_OPERATOR_ARGUMENTS, ...(input.extraArguments ?? [])];
  const spaced = args.find((a) => /\s/.test(a));
  if (spaced !== undefined)
    throw new RangeError(`k6 arguments: "${spaced}" contains a space, which k6-operator would split`);
  return {
    apiVersion: `${TESTRUN_GROUP}/${TESTRUN_VERSION}`,
    kind: 'TestRun',
    metadata: metadata(input, input.name),
    spec: {
      parallelism: input.parallelism,
      script: { configMap: { name: scriptConfigMapName(input.name), file: SCRIPT_FILE } },
      arguments: args.join(' '),
      runner: {
        ...(input.runnerImage ? { image: input.runnerImage } : {}),
        env: [{ name: 'K6_NO_USAGE_REPORT', value: 'true' }],
        metadata: { labels: { ...MANAGED_BY } },
      },
    },
  };
}
