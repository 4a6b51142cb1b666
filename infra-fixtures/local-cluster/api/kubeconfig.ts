/** Writes the kubeconfig clients use to reach the local API server (context `gauntlet-local`). */
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { stringify } from 'yaml';

export const kContextName = 'gauntlet-local';

export interface KubeconfigInput {
  url: string;
  caPem: string;
  token: string;
  /** Namespace of the context; default `default`. */
  namespace?: string;
}

export function renderKubeconfig(input: KubeconfigInput): string {
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    'current-context': kContextName,
    clusters: [
      {
        name: kContextName,
        cluster: {
          server: input.url,
          'certificate-authority-data': Buffer.from(input.caPem).toString('base64'),
        },
      },
    ],
    users: [{ name: kContextName, user: { token: input.token } }],
    contexts: [
      {
        name: kContextName,
        context: { cluster: kContextName, user: kContextName, namespace: input.namespace ?? 'default' },
      },
    ],
    preferences: {},
  });
}

/** Writes `<dir>/kubeconfig` with mode 0600 (it holds the bearer token) and returns its path. */
export async function writeKubeconfig(dir: string, input: KubeconfigInput): Promise<string> {
  await mkdir(dir, { recursive: true });
  const file = path.join(dir, 'kubeconfig');
  await writeFile(file, renderKubeconfig(input), { mode: 0o600 });
  await chmod(file, 0o600);
  return file;
}
