/**
 * The kind and EKS guides (docs/targets) take a newcomer from nothing to a nightly run with every
 * command written out, so every command must work against this repository: the files and
 * kustomizations it names exist, its gauntlet commands and flags exist and name the cluster, its
 * scenarios load, the image it builds is the one the overlay deploys, its versions match
 * infra-fixtures/kind/up.sh and the nightly workflow, and no step of the way is missing.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse, parseAllDocuments } from 'yaml';
import { loadScenarioFile } from '../../lib/scenario/load-file.ts';
import { HTML_FILE } from '../../reports/html/file.ts';
import { RESULT_FILE } from '../../reports/json.ts';
import { JUNIT_FILE } from '../../reports/junit.ts';
import { MARKDOWN_FILE } from '../../reports/markdown.ts';
import { gauntletInvocations, invocationProblems } from './cli-usage.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const read = (p: string) => readFileSync(path.join(root, p), 'utf8');
const tmp = mkdtempSync(path.join(tmpdir(), 'target-docs-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

interface Guide {
  readonly text: string;
  /** Shell blocks, comments dropped, continuation lines joined. */
  readonly shell: string;
  readonly ts: readonly string[];
  /** Inline `code` spans. */
  readonly inline: readonly string[];
  /** Files the guide tells the reader to create ("Save this as `…`"). */
  readonly created: readonly string[];
  readonly yaml: readonly string[];
}

function guide(file: string): Guide {
  const text = read(file);
  const blocks = [...text.matchAll(/^[ \t]*```(\w*)\n([\s\S]*?)^[ \t]*```/gm)].map((m) => ({
    lang: m[1],
    body: m[2] ?? '',
  }));
  const shell = blocks
    .filter((b) => b.lang === 'sh')
    .map((b) => b.body)
    .join('\n')
    .replace(/\\\n\s*/g, ' ')
    .replace(/(^|\s)#(?![!{]).*$/gm, '$1');
  const prose = text.replace(/^[ \t]*```\w*\n[\s\S]*?^[ \t]*```/gm, '');
  return {
    text,
    shell,
    ts: blocks.filter((b) => b.lang === 'ts').map((b) => b.body),
    inline: [...prose.matchAll(/`([^`\n]+)`/g)].map((m) => m[1] ?? ''),
    created: [...text.matchAll(/Save this as `([^`]+)`/g)].map((m) => m[1] ?? ''),
    yaml: blocks.filter((b) => b.lang === 'yaml').map((b) => b.body),
  };
}

/** Every step from nothing to a nightly run and back, as a command the guide must contain. */
const STEPS: Record<string, ReadonlyArray<[string, RegExp]>> = {
  'docs/targets/kind.md': [
    ['install docker', /apt-get install -y docker\.io/],
    ['install kind', /install -m 0755 \.\/kind \/usr\/local\/bin\/kind/],
    ['install kubectl', /install -m 0755 \.\/kubectl \/usr\/local\/bin\/kubectl/],
    ['install Node.js and the dependencies', /apt-get install -y nodejs[\s\S]*npm ci/],
    [
      'create the cluster',
      /kind create cluster --name gauntlet .*--config infra-fixtures\/kind\/cluster\.yaml/,
    ],
    ['install ingress-nginx', /ingress-nginx\/[\w.-]+\/deploy\/static\/provider\/kind\/deploy\.yaml/],
    ['wait for ingress-nginx', /-n ingress-nginx wait --for=condition=ready pod/],
    ['install metrics-server', /metrics-server\/releases\/download\/[\w.-]+\/components\.yaml/],
    ['let metrics-server reach kind kubelets', /--kubelet-insecure-tls/],
    ['build the image', /docker build -t \S+ infra-fixtures\/app/],
    ['load the image into the nodes', /kind load docker-image \S+ --name gauntlet/],
    ['apply the overlay', /apply -k infra-fixtures\/k8s\/overlays\/kind/],
    ['wait for the rollout', /rollout status deployment\/novel-engine/],
    ['wait for the ingress address', /wait ingress\/novel-engine/],
    [
      'run the nightly scenario',
      /npx gauntlet run scenarios\/nightly\.ts --context kind-gauntlet --allow-context kind-gauntlet/,
    ],
    ['recover after a killed run', /npx gauntlet recover \S+ --context kind-gauntlet/],
    ['tear down', /kind delete cluster --name gauntlet/],
  ],
  'docs/targets/eks.md': [
    ['install the AWS CLI', /sudo \.\/aws\/install/],
    ['install eksctl', /eksctl_Linux_amd64\.tar\.gz/],
    ['install kubectl', /install -m 0755 \.\/kubectl \/usr\/local\/bin\/kubectl/],
    ['install kustomize', /kustomize_v[\d.]+_linux_amd64\.tar\.gz/],
    ['install Node.js and the dependencies', /apt-get install -y nodejs[\s\S]*npm ci/],
    ['create the cluster', /eksctl create cluster -f eksctl-gauntlet\.yaml/],
    ['get a kubeconfig', /aws eks update-kubeconfig --name/],
    ['install ingress-nginx', /ingress-nginx\/[\w.-]+\/deploy\/static\/provider\/aws\/deploy\.yaml/],
    ['install metrics-server', /metrics-server\/releases\/download\/[\w.-]+\/components\.yaml/],
    ['push the image to ECR', /docker push/],
    ['point the overlay at it', /kustomize edit set image "novel-engine=/],
    ['apply the overlay', /apply -k infra-fixtures\/k8s\/overlays\/eks/],
    ['wait for the rollout', /rollout status deployment\/novel-engine/],
    ['wait for the load balancer', /loadBalancer\.ingress\[0\]\.hostname/],
    ["apply gauntlet's RBAC", /apply -k infra-fixtures\/rbac/],
    ['create the CI role', /aws iam create-role --role-name gauntlet-ci/],
    ['create the FIS experiment role', /aws iam create-role --role-name gauntlet-fis/],
    [
      'give the harness its FIS policy',
      /--policy-document file:\/\/infra-fixtures\/aws\/iam\/harness-policy\.json/,
    ],
    ['tag the subnets FIS cuts', /gauntlet\.dev\/fis-subnet/],
    [
      'run the nightly scenario',
      /npx gauntlet run scenarios\/nightly\.ts --context "\$CTX" --allow-context "\$CTX"/,
    ],
    ['recover after a killed run', /npx gauntlet recover \S+ --context "\$CTX"/],
    ['tear down', /eksctl delete cluster/],
  ],
};

describe.each(Object.keys(STEPS))('%s', (file) => {
  const g = guide(file);

  it('has every step from nothing to a nightly run, and back', () => {
    const missing = STEPS[file]!.filter(([, re]) => !re.test(g.shell)).map(([step]) => step);
    expect(missing).toEqual([]);
  });

  it('names only files and kustomizations that exist', () => {
    const paths = [
      ...`${g.shell}\n${g.inline.join('\n')}`.matchAll(
        /(?<![\w/.-])((?:infra-fixtures|scenarios|docs|test|lib|bin|\.github)\/[\w./-]*\w)/g,
      ),
    ].map((m) => m[1]!);
    expect(paths.length).toBeGreaterThan(0);
    expect(paths.filter((p) => !g.created.includes(p) && !existsSync(path.join(root, p)))).toEqual([]);
    for (const [, dir] of g.shell.matchAll(/(?:apply|delete) -k (\S+)/g))
      expect(existsSync(path.join(root, dir!, 'kustomization.yaml')), `${dir}/kustomization.yaml`).toBe(true);
    for (const [, dir] of g.shell.matchAll(/docker build -t \S+ (\S+)/g))
      expect(existsSync(path.join(root, dir!, 'Dockerfile')), `${dir}/Dockerfile`).toBe(true);
  });

  it('uses gauntlet commands and flags that exist, each naming the cluster', () => {
    const invocations = [...gauntletInvocations(g.shell), ...g.inline.flatMap((c) => gauntletInvocations(c))];
    expect(invocations.map((i) => i.command)).toEqual(expect.arrayContaining(['plan', 'run', 'recover']));
    expect(invocationProblems(invocations, { realCluster: true })).toEqual([]);
  });

  it('says where the reports land, by the names the reporters write', () => {
    for (const f of [RESULT_FILE, JUNIT_FILE, MARKDOWN_FILE, HTML_FILE]) expect(g.text).toContain(`\`${f}\``);
  });

  it('has scenarios that load, saved where their imports resolve, and YAML that parses', async () => {
    const scenarios = g.created.filter((f) => f.endsWith('.ts'));
    expect(g.ts.length).toBe(scenarios.length);
    for (const [i, source] of g.ts.entries()) {
      expect(scenarios[i]).toMatch(/^scenarios\/[\w-]+\.ts$/);
      const saved = path.join(tmp, path.basename(scenarios[i]!));
      writeFileSync(
        saved,
        source
          .replace(/from '\.\.\/lib\//g, `from '${root}/lib/`)
          .replace(/from '\.\/shared\//g, `from '${root}/scenarios/shared/`),
      );
      const scenario = await loadScenarioFile(saved);
      expect(scenario.name).toBe(path.basename(scenarios[i]!, '.ts'));
      expect(scenario.chaos.map((c) => c.action.kind)).toContain('zone-outage');
    }
    for (const y of g.yaml) expect(() => parse(y)).not.toThrow();
  });
});

describe('the kind guide agrees with the fixtures it drives', () => {
  const g = guide('docs/targets/kind.md');
  const up = read('infra-fixtures/kind/up.sh');
  const upDefault = (name: string) => new RegExp(`${name}="\\$\\{${name}:-([^}]+)\\}"`).exec(up)?.[1];

  it('builds and loads the image the kind overlay deploys', () => {
    const overlay = parse(read('infra-fixtures/k8s/overlays/kind/kustomization.yaml')) as {
      images: Array<{ name: string; newName?: string; newTag?: string }>;
    };
    const [image] = overlay.images;
    const deployed = `${image!.newName ?? image!.name}:${image!.newTag}`;
    expect(/docker build -t (\S+) infra-fixtures\/app/.exec(g.shell)?.[1]).toBe(deployed);
    expect(/kind load docker-image (\S+)/.exec(g.shell)?.[1]).toBe(deployed);
    expect(upDefault('IMAGE')).toBe(deployed);
    // Loaded, never pulled: a tag other than latest keeps the pull policy IfNotPresent.
    expect(image!.newTag).not.toBe('latest');
    const base = parse(read('infra-fixtures/k8s/base/deployment.yaml')) as {
      spec: { template: { spec: { containers: Array<{ imagePullPolicy?: string }> } } };
    };
    expect(base.spec.template.spec.containers[0]!.imagePullPolicy).toMatch(/^(IfNotPresent|Never)$/);
  });

  it('uses the versions up.sh and the nightly workflow use', () => {
    for (const name of ['KIND_NODE_IMAGE', 'INGRESS_NGINX_VERSION', 'METRICS_SERVER_VERSION'])
      expect(g.shell, name).toContain(upDefault(name)!);
    const wf = parse(read('.github/workflows/nightly-kind.yml')) as {
      env: { KIND_VERSION: string; CLUSTER: string };
    };
    expect(g.shell).toContain(`kind.sigs.k8s.io/dl/${wf.env.KIND_VERSION}/kind-linux-amd64`);
    const cluster = parse(read('infra-fixtures/kind/cluster.yaml')) as { name: string };
    expect(cluster.name).toBe(wf.env.CLUSTER);
    expect(g.shell).toContain(`kind create cluster --name ${cluster.name}`);
  });
});

describe('the EKS guide agrees with the fixtures it drives', () => {
  const g = guide('docs/targets/eks.md');
  const subjects = (file: string) =>
    parseAllDocuments(read(file))
      .map((d) => d.toJS() as { kind?: string; subjects?: Array<{ kind: string; name: string }> })
      .flatMap((d) => d.subjects ?? []);

  it('maps IAM principals to the Kubernetes group and user the bindings name', () => {
    const group = /create-access-entry .*--kubernetes-groups (\S+)/.exec(g.shell)?.[1];
    expect(subjects('infra-fixtures/rbac/clusterrolebinding.yaml')).toContainEqual(
      expect.objectContaining({ kind: 'Group', name: group }),
    );
    expect(subjects('infra-fixtures/rbac/rolebinding.yaml')).toContainEqual(
      expect.objectContaining({ kind: 'Group', name: group }),
    );
    const user = /create-access-entry .*--username (\S+)/.exec(g.shell)?.[1];
    expect(subjects('infra-fixtures/aws/fis-pod-actions/fis-rbac.yaml')).toContainEqual(
      expect.objectContaining({ kind: 'User', name: user }),
    );
  });

  it('sets the image the EKS overlay deploys, from a registry', () => {
    const overlay = parse(read('infra-fixtures/k8s/overlays/eks/kustomization.yaml')) as {
      images: Array<{ name: string; newName: string }>;
    };
    const name = /kustomize edit set image "([\w-]+)=/.exec(g.shell)?.[1];
    expect(overlay.images.map((i) => i.name)).toEqual([name]);
    // A registry host: EKS nodes pull, nothing is loaded into them.
    expect(overlay.images[0]!.newName).toMatch(/^[\w.-]+\.[\w.-]+(:\d+)?\//);
  });

  it('fills in every placeholder of the IAM files it uses', () => {
    const sed = /sed -i "([^"]+)" infra-fixtures\/aws\/iam\/\*\.json/.exec(g.shell)?.[1] ?? '';
    for (const f of ['ci-role-trust', 'experiment-role-trust', 'experiment-role-policy', 'harness-policy']) {
      const placeholders = [...read(`infra-fixtures/aws/iam/${f}.json`).matchAll(/\b[A-Z][A-Z_]{3,}\b/g)].map(
        (m) => m[0],
      );
      for (const p of placeholders) expect(sed, `${f}.json: ${p}`).toContain(p);
    }
  });
});
