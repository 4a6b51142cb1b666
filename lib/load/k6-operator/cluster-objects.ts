/**
 * Creating, reading and removing a distributed run's objects (resources.ts) through client-node.
 * Removal always tries both objects and waits, bounded, until the TestRun is gone, so a finished
 * or aborted run leaves nothing behind that would stop the next one (the operator refuses to start
 * a TestRun whose `<name>-1` Job still exists).
 */
import type { ClusterClient } from '../../cluster/client.ts';
import { apiMessage, explainCommonFailure, httpStatus, isNotFound } from '../../cluster/api-errors.ts';
import { GauntletError } from '../../errors.ts';
import {
  scriptConfigMap,
  testRunObject,
  TESTRUN_GROUP,
  TESTRUN_PLURAL,
  TESTRUN_VERSION,
  type TestRunSpecInput,
} from './resources.ts';

export const K6_OPERATOR_INSTALL_HINT =
  'install k6-operator in the cluster (https://grafana.com/docs/k6/latest/set-up/set-up-distributed-k6/install-k6-operator/), or use --engine k6 or native';

const ref = (namespace: string, name: string) => ({
  group: TESTRUN_GROUP,
  version: TESTRUN_VERSION,
  plural: TESTRUN_PLURAL,
  namespace,
  name,
});

function setupError(what: string, client: ClusterClient, err: unknown): GauntletError {
  return (
    explainCommonFailure(client, what, err) ??
    new GauntletError('GAUNTLET_SETUP', `${what}: ${apiMessage(err)}`, { cause: err })
  );
}

/** ConfigMap first (the operator reads it as soon as the TestRun exists), then the TestRun owning it. */
export async function createRunObjects(
  client: ClusterClient,
  input: TestRunSpecInput,
  script: string,
): Promise<void> {
  const { namespace, name } = input;
  const cm = scriptConfigMap(input, script);
  try {
    await client.core.createNamespacedConfigMap({ namespace, body: cm });
  } catch (err) {
    throw setupError(
      `--engine k6-operator: creating ConfigMap ${namespace}/${cm.metadata!.name}`,
      client,
      err,
    );
  }
  let uid: string;
  try {
    const created = (await client.custom.createNamespacedCustomObject({
      group: TESTRUN_GROUP,
      version: TESTRUN_VERSION,
      plural: TESTRUN_PLURAL,
      namespace,
      body: testRunObject(input),
    })) as { metadata?: { uid?: string } };
    uid = created.metadata?.uid ?? '';
  } catch (err) {
    await client.core
      .deleteNamespacedConfigMap({ namespace, name: cm.metadata!.name! })
      .catch(() => undefined);
    if (isNotFound(err)) {
      throw new GauntletError(
        'GAUNTLET_SETUP',
        `--engine k6-operator: the cluster (context "${client.contextName}") serves no ${TESTRUN_PLURAL}.${TESTRUN_GROUP}/${TESTRUN_VERSION}; ${K6_OPERATOR_INSTALL_HINT}`,
        { cause: err },
      );
    }
    throw setupError(`--engine k6-operator: creating TestRun ${namespace}/${name}`, client, err);
  }
  // Owned by the TestRun, the script goes with it even if gauntlet cannot delete it itself.
  await client.core
    .replaceNamespacedConfigMap({
      namespace,
      name: cm.metadata!.name!,
      body: {
        ...cm,
        metadata: {
          ...cm.metadata,
          ownerReferences: [
            {
              apiVersion: `${TESTRUN_GROUP}/${TESTRUN_VERSION}`,
              kind: 'TestRun',
              name,
              uid,
              blockOwnerDeletion: false,
            },
          ],
        },
      },
    })
    .catch(() => undefined);
}

export interface TestRunState {
  readonly exists: boolean;
  /** `status.stage`: initialization, initialized, created, started, stopped, finished or error. */
  readonly stage: string | null;
  /** The last condition's message, for a stage of `error`. */
  readonly message: string | null;
}

export async function readTestRun(
  client: ClusterClient,
  namespace: string,
  name: string,
): Promise<TestRunState> {
  try {
    const tr = (await client.custom.getNamespacedCustomObject(ref(namespace, name))) as {
      status?: { stage?: string; conditions?: Array<{ message?: string; reason?: string }> };
    };
    const last = tr.status?.conditions?.at(-1);
    return {
      exists: true,
      stage: tr.status?.stage ?? null,
      message: last ? `${last.reason ?? ''}${last.message ? `: ${last.message}` : ''}` : null,
    };
  } catch (err) {
    if (isNotFound(err)) return { exists: false, stage: null, message: null };
    throw err;
  }
}

/** Deletes the TestRun (its runners with it) and the ConfigMap; returns what could not be removed. */
export async function deleteRunObjects(
  client: ClusterClient,
  namespace: string,
  name: string,
  timeoutMs: number,
): Promise<string[]> {
  const left: string[] = [];
  const gone = (err: unknown) => isNotFound(err) || httpStatus(err) === 410;
  try {
    await client.custom.deleteNamespacedCustomObject({
      ...ref(namespace, name),
      propagationPolicy: 'Background',
    });
  } catch (err) {
    if (!gone(err)) left.push(`TestRun ${namespace}/${name}: ${apiMessage(err)}`);
  }
  try {
    await client.core.deleteNamespacedConfigMap({ namespace, name: `${name}-script` });
  } catch (err) {
    if (!gone(err)) left.push(`ConfigMap ${namespace}/${name}-script: ${apiMessage(err)}`);
  }
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const state = await readTestRun(client, namespace, name).catch(() => ({ exists: true }));
    if (!state.exists) break;
    if (Date.now() > deadline) {
      left.push(
        `TestRun ${namespace}/${name} still exists ${Math.round(timeoutMs / 1000)} s after its deletion`,
      );
      break;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return left;
}
