/**
 * The example CI workflows in .github/workflows parse, have what GitHub needs to run them, pin
 * their actions, and refer only to things that exist: scripts, scenarios, overlays, gauntlet
 * commands, flags and reporters, and the report files a run writes under its --out directory.
 * The image workflow keeps what the stack claims for its images: amd64 and arm64, GHCR, a Trivy
 * gate, keyless cosign signing of the pushed digest and the ~200 MB size; its shell steps are run
 * here against a stand-in `docker`, since no container engine runs in the tests.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { builtinReporterNames } from '../../reports/registry.ts';
import { JUNIT_FILE } from '../../reports/junit.ts';
import { MARKDOWN_FILE } from '../../reports/markdown.ts';
import { HTML_FILE } from '../../reports/html/file.ts';
import { RESULT_FILE } from '../../reports/json.ts';
import { gauntletInvocations, invocationProblems } from './cli-usage.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const dir = path.join(root, '.github/workflows');
const files = readdirSync(dir).filter((f) => /\.ya?ml$/.test(f));
/** Workflows that run a scenario against a cluster, and the one that builds the image they deploy. */
const scenarioWorkflows = ['nightly-kind.yml', 'pre-release-gate.yml'];
const imageWorkflow = 'image.yml';

interface Step {
  id?: string;
  name?: string;
  uses?: string;
  run?: string;
  if?: string;
  with?: Record<string, unknown>;
  env?: Record<string, string>;
  'continue-on-error'?: boolean;
  'working-directory'?: string;
}
interface Workflow {
  name?: string;
  on?: unknown;
  permissions?: Record<string, string> | string;
  env?: Record<string, string>;
  jobs?: Record<string, { 'runs-on'?: string; 'timeout-minutes'?: number; steps?: Step[] }>;
}

const scripts = (
  JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> }
).scripts;

/** `${RESULTS}` and `${{ … }}` replaced by what the workflow's env gives, for path checks. */
function expand(text: string, env: Record<string, string>): string {
  return text.replace(/\$\{(\w+)\}|\$(\w+)/g, (m, a: string, b: string) => env[a ?? b] ?? m);
}

function load(file: string) {
  const wf = parse(readFileSync(path.join(dir, file), 'utf8')) as Workflow;
  const env = Object.fromEntries(Object.entries(wf.env ?? {}).map(([k, v]) => [k, String(v)]));
  const steps = Object.values(wf.jobs ?? {}).flatMap((j) => j.steps ?? []);
  return { wf, env, steps, runs: steps.map((s) => s.run ?? '').join('\n') };
}

it('knows every workflow in .github/workflows, so none goes unchecked', () => {
  expect([...files].sort()).toEqual([...scenarioWorkflows, imageWorkflow].sort());
});

/** `${{ env.NAME }}` replaced by the workflow's env value. */
function fromEnv(text: string, env: Record<string, string>): string {
  return text.replace(/\$\{\{ env\.(\w+) \}\}/g, (m, name: string) => env[name] ?? m);
}

describe.each(files)('.github/workflows/%s', (file) => {
  const { wf, env, steps, runs } = load(file);

  it('has a name, triggers, least-privilege permissions and bounded jobs', () => {
    expect(wf.name).toBe(file.replace(/\.ya?ml$/, ''));
    expect(wf.on).toBeTruthy();
    expect(typeof wf.permissions).toBe('object');
    expect(Object.values(wf.permissions as object)).not.toContain('write-all');
    expect(Object.keys(wf.jobs ?? {}).length).toBeGreaterThan(0);
    for (const [name, job] of Object.entries(wf.jobs ?? {})) {
      expect(job['runs-on'], `jobs.${name}.runs-on`).toBeTruthy();
      expect(job['timeout-minutes'], `jobs.${name}.timeout-minutes`).toBeGreaterThan(0);
      expect(job.steps?.length, `jobs.${name}.steps`).toBeGreaterThan(0);
    }
  });

  it('gives every step one thing to do and pins every action to a major version', () => {
    for (const s of steps) {
      expect(Boolean(s.uses) !== Boolean(s.run), `${s.name}: exactly one of uses and run`).toBe(true);
      if (s.uses) expect(s.uses, s.name).toMatch(/^[\w.-]+\/[\w.-]+@v\d+(\.\d+){0,2}$/);
    }
  });

  it('refers only to scripts, scenarios, directories and npm scripts that exist', () => {
    for (const [, p] of runs.matchAll(/\bbash ([\w./-]+\.sh)/g))
      expect(existsSync(path.join(root, p!)), p).toBe(true);
    for (const [, p] of runs.matchAll(/\b(scenarios\/[\w./-]+\.ts)/g))
      expect(existsSync(path.join(root, p!)), p).toBe(true);
    for (const [, p] of runs.matchAll(/docker build (?:-t \S+ )?([\w./-]+)/g))
      expect(existsSync(path.join(root, p!, 'Dockerfile')), `${p}/Dockerfile`).toBe(true);
    for (const [, s] of runs.matchAll(/npm run ([\w:-]+)/g))
      expect(scripts[s!], `npm run ${s}`).toBeDefined();
    for (const s of steps.filter((x) => x['working-directory']))
      expect(existsSync(path.join(root, s['working-directory']!, 'kustomization.yaml'))).toBe(true);
    for (const s of steps.filter((x) => x.uses?.startsWith('docker/build-push-action@'))) {
      const context = fromEnv(String(s.with?.context), env);
      expect(existsSync(path.join(root, context, 'Dockerfile')), `${s.name}: ${context}/Dockerfile`).toBe(
        true,
      );
    }
  });
});

describe.each(scenarioWorkflows)('.github/workflows/%s runs a scenario', (file) => {
  const { env, steps, runs } = load(file);

  it('uses gauntlet commands and flags that exist, each naming the cluster, and real reporters', () => {
    const invocations = steps.flatMap((st) => gauntletInvocations(st.run ?? ''));
    expect(invocations.map((i) => i.command)).toEqual(expect.arrayContaining(['plan', 'run', 'recover']));
    // A recover or plan without --context would look for the embedded local cluster, not this one.
    expect(invocationProblems(invocations, { realCluster: true })).toEqual([]);
    for (const inv of invocations.filter((i) => i.command === 'run')) {
      const reporters = /--reporter (\S+)/.exec(inv.text)?.[1]?.split(',') ?? [];
      for (const r of reporters) expect(builtinReporterNames as readonly string[]).toContain(r);
      expect(reporters).toEqual(expect.arrayContaining(['junit', 'html']));
    }
  });

  it('publishes JUnit and keeps the HTML report, from where the run writes them, even when it fails', () => {
    const out = expand(/--out "?([^"\s]+)"?/.exec(runs.replace(/\n/g, ' '))![1]!, env);
    const junit = steps.find((s) => s.uses?.startsWith('mikepenz/action-junit-report@'));
    expect(junit?.if).toBe('always()');
    expect(junit?.with?.report_paths).toBe(`${out}/${JUNIT_FILE}`);
    const upload = steps.find((s) => s.uses?.startsWith('actions/upload-artifact@'));
    expect(upload?.if).toBe('always()');
    const kept = String(upload?.with?.path ?? '')
      .split('\n')
      .filter(Boolean);
    expect(kept.sort()).toEqual(
      [HTML_FILE, JUNIT_FILE, RESULT_FILE, MARKDOWN_FILE].map((f) => `${out}/${f}`).sort(),
    );
    expect(runs).toMatch(/npx gauntlet recover/);
  });
});

describe(`.github/workflows/${imageWorkflow} keeps what the stack claims for its images`, () => {
  const { wf, env, steps } = load(imageWorkflow);
  const index = (what: string, pred: (s: Step) => boolean) => {
    const i = steps.findIndex(pred);
    expect(i, what).toBeGreaterThanOrEqual(0);
    return i;
  };
  const uses = (action: string) => (s: Step) => s.uses?.startsWith(`${action}@`) ?? false;
  const candidateAt = index(
    'local amd64 build',
    (s) => uses('docker/build-push-action')(s) && !!s.with?.load,
  );
  const pushAt = index('multi-platform push', (s) => s.id === 'push');
  const loginAt = index('registry login', uses('docker/login-action'));
  const candidate = steps[candidateAt]!;
  const push = steps[pushAt]!;
  const candidateRef = String(candidate.with?.tags);
  const publishing = [
    loginAt,
    pushAt,
    ...steps.flatMap((s, i) => (/\bcosign\b/.test(s.run ?? s.uses ?? '') ? [i] : [])),
  ];

  const tmp = mkdtempSync(path.join(tmpdir(), 'image-workflow-'));
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));
  /** Runs a step's script as GitHub does (bash -eo pipefail), with the workflow's and `extra` env. */
  function runStep(step: Step, extra: Record<string, string>) {
    return spawnSync('bash', ['--noprofile', '--norc', '-eo', 'pipefail', '-c', step.run!], {
      env: { PATH: process.env.PATH, ...env, ...step.env, ...extra },
      encoding: 'utf8',
      timeout: 15_000,
    });
  }

  it('builds infra-fixtures/app for linux/amd64 and linux/arm64, with QEMU and Buildx set up first', () => {
    expect(fromEnv(String(push.with?.platforms), env).split(',').sort()).toEqual([
      'linux/amd64',
      'linux/arm64',
    ]);
    for (const s of [candidate, push])
      expect(fromEnv(String(s.with?.context), env)).toBe('infra-fixtures/app');
    expect(candidate.with?.platforms).toBe('linux/amd64');
    expect(candidateRef).toBe('${{ env.IMAGE }}:candidate');
    expect(index('QEMU', uses('docker/setup-qemu-action'))).toBeLessThan(candidateAt);
    expect(index('Buildx', uses('docker/setup-buildx-action'))).toBeLessThan(candidateAt);
  });

  it("publishes to ghcr.io under the repository owner, named as the manifests' image, never from a pull request", () => {
    expect(wf.permissions).toMatchObject({ packages: 'write' });
    expect(steps[loginAt]!.with).toMatchObject({
      registry: 'ghcr.io',
      password: '${{ secrets.GITHUB_TOKEN }}',
    });
    const named = steps.find((s) => s.name === 'Image name')!;
    const githubEnv = path.join(tmp, 'github-env');
    expect(runStep(named, { GITHUB_REPOSITORY_OWNER: 'Acme-Org', GITHUB_ENV: githubEnv }).status).toBe(0);
    expect(readFileSync(githubEnv, 'utf8')).toBe('IMAGE=ghcr.io/acme-org/novel-engine\n');
    const base = readFileSync(path.join(root, 'infra-fixtures/k8s/base/deployment.yaml'), 'utf8');
    expect(/image: ([\w.-]+):/.exec(base)?.[1]).toBe(env.IMAGE_NAME);
    expect(steps.find(uses('docker/metadata-action'))?.with?.images).toBe('${{ env.IMAGE }}');
    expect(push.with).toMatchObject({ push: true, tags: '${{ steps.meta.outputs.tags }}' });
    expect(loginAt).toBeLessThan(pushAt);
    for (const i of publishing)
      expect(steps[i]!.if, steps[i]!.name ?? steps[i]!.uses).toBe("github.event_name != 'pull_request'");
  });

  it('scans the image with Trivy before anything is published, failing on fixable HIGH and CRITICAL findings', () => {
    const trivyAt = index('Trivy', uses('aquasecurity/trivy-action'));
    const trivy = steps[trivyAt]!;
    expect(trivy.with?.['image-ref']).toBe(candidateRef);
    expect(String(trivy.with?.severity).split(',').sort()).toEqual(['CRITICAL', 'HIGH']);
    expect(trivy.with?.['exit-code']).toBe('1');
    expect(trivy.with?.['ignore-unfixed']).toBe(true);
    expect(trivy.if).toBeUndefined();
    expect(trivy['continue-on-error']).toBeUndefined();
    expect(trivyAt).toBeGreaterThan(candidateAt);
    for (const i of publishing) expect(trivyAt).toBeLessThan(i);
  });

  it('signs the pushed digest keylessly, verifies it, and attaches provenance and an SBOM', () => {
    expect(wf.permissions).toMatchObject({ 'id-token': 'write' });
    const signAt = index('cosign sign', (s) => /^cosign sign /.test(s.run ?? ''));
    const sign = steps[signAt]!;
    expect(sign.run!.trim()).toBe('cosign sign --yes "${IMAGE}@${DIGEST}"');
    expect(sign.env?.DIGEST).toBe('${{ steps.push.outputs.digest }}');
    expect(index('cosign installer', uses('sigstore/cosign-installer'))).toBeLessThan(signAt);
    expect(signAt).toBeGreaterThan(pushAt);
    const verify = steps.find((s) => /^cosign verify /.test(s.run ?? ''))!;
    expect(verify.env?.DIGEST).toBe(sign.env?.DIGEST);
    expect(verify.run).toMatch(/"\$\{IMAGE\}@\$\{DIGEST\}"/);
    expect(verify.run).toMatch(/--certificate-identity "https:\/\/github\.com\/\$\{GITHUB_WORKFLOW_REF\}"/);
    expect(verify.run).toMatch(/--certificate-oidc-issuer https:\/\/token\.actions\.githubusercontent\.com/);
    expect(push.with).toMatchObject({ provenance: 'mode=max', sbom: true });
  });

  it('fails when the amd64 image is over the ~200 MB the stack claims, before it is scanned or pushed', () => {
    // "Size optimization: Production image ~200MB", in MB as `docker images` counts them.
    expect(env.MAX_IMAGE_MB).toBe('200');
    const sizeAt = index('size check', (s) => /docker image inspect/.test(s.run ?? ''));
    expect(sizeAt).toBeGreaterThan(candidateAt);
    expect(sizeAt).toBeLessThan(index('Trivy', uses('aquasecurity/trivy-action')));
    // A stand-in docker that reports a given size and records what it was asked.
    const bin = path.join(tmp, 'bin');
    mkdirSync(bin, { recursive: true });
    writeFileSync(
      path.join(bin, 'docker'),
      '#!/bin/sh\nprintf "%s\\n" "$@" > "$ARGS_FILE"\necho "$FAKE_SIZE"\n',
    );
    chmodSync(path.join(bin, 'docker'), 0o755);
    const check = (bytes: number) =>
      runStep(steps[sizeAt]!, {
        PATH: `${bin}:${process.env.PATH}`,
        IMAGE: 'ghcr.io/acme/novel-engine',
        FAKE_SIZE: String(bytes),
        ARGS_FILE: path.join(tmp, 'args'),
        GITHUB_STEP_SUMMARY: path.join(tmp, 'summary.md'),
      });
    const within = check(200_000_000);
    expect(within.status, within.stderr).toBe(0);
    expect(readFileSync(path.join(tmp, 'args'), 'utf8').split('\n')).toEqual([
      'image',
      'inspect',
      '--format',
      '{{.Size}}',
      'ghcr.io/acme/novel-engine:candidate',
      '',
    ]);
    expect(readFileSync(path.join(tmp, 'summary.md'), 'utf8')).toContain('Image size: 200 MB');
    const over = check(200_000_001);
    expect(over.status).toBe(1);
    expect(over.stdout).toContain(
      '::error::ghcr.io/acme/novel-engine:candidate is 200000001 bytes, more than 200 MB',
    );
  });
});
