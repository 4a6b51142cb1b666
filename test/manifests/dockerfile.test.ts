/**
 * The stand-in app's image (infra-fixtures/app/Dockerfile) keeps what the stack claims for its
 * images: multi-stage, a numeric non-root user matching the manifests, nothing writable, a health
 * check on /healthz, tool versions in step with the lockfile, builds for amd64 and arm64, and only
 * node and the bundle on Debian slim (the size is checked by .github/workflows/image.yml). No container engine runs here, so
 * the build step itself is run on the host: the same esbuild command bundles the app, and the
 * bundle alone (outside the repository, no node_modules, from a directory it cannot write) must
 * serve, pass the HEALTHCHECK command and drain on SIGTERM.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const appDir = path.join(root, 'infra-fixtures/app');
const dockerfile = readFileSync(path.join(appDir, 'Dockerfile'), 'utf8');
/** Instructions with their continuation lines joined, comments dropped. */
const instructions = dockerfile
  .replace(/\\\n\s*/g, ' ')
  .split('\n')
  .map((l) => l.trim())
  .filter((l) => l && !l.startsWith('#'));
const stages = instructions.reduce<string[][]>((acc, l) => {
  if (/^FROM /i.test(l)) acc.push([]);
  acc.at(-1)?.push(l);
  return acc;
}, []);
const final = stages.at(-1) ?? [];
const lock = JSON.parse(readFileSync(path.join(root, 'package-lock.json'), 'utf8')) as {
  packages: Record<string, { version?: string }>;
};

/** Splits a shell command line into words, honouring double and single quotes. */
function words(line: string): string[] {
  return [...line.matchAll(/(?:[^\s"']+|"[^"]*"|'[^']*')+/g)].map((m) =>
    m[0].replace(/"([^"]*)"|'([^']*)'/g, '$1$2'),
  );
}

describe('the app Dockerfile', () => {
  it('builds in one stage and runs from a slim one that carries only node and the bundle', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    expect(stages[0]![0]).toMatch(/ AS build$/);
    expect(final[0]).not.toMatch(/ AS /);
    expect(final.filter((l) => /^COPY /.test(l))).toEqual([
      'COPY --from=node /usr/local/bin/node /usr/local/bin/node',
      'COPY --from=build /src/dist/server.mjs ./server.mjs',
    ]);
    // No package manager reaches the image: nothing installs one and the base has none.
    expect(final.join('\n')).not.toMatch(/npm|yarn|corepack|apt-get/);
    expect(final[0]).toMatch(/^FROM debian:[a-z]+-slim$/);
  });

  it('runs on the Node version the project supports, over the Debian release its image is built on', () => {
    const version = /^ARG NODE_VERSION=(\d+)\.(\d+)\.(\d+)$/m.exec(dockerfile);
    expect(version).not.toBeNull();
    const engines = (
      JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { engines: { node: string } }
    ).engines.node;
    const [, major, minor, patch] = /(\d+)\.(\d+)\.(\d+)/.exec(engines)!.map(Number);
    const [, ma, mi, pa] = version!.map(Number);
    expect(ma! * 1e6 + mi! * 1e3 + pa!).toBeGreaterThanOrEqual(major! * 1e6 + minor! * 1e3 + patch!);
    const node = stages.find((s) => / AS node$/.test(s[0]!));
    for (const s of [stages[0]!, node!]) expect(s[0]).toMatch(/^FROM node:\$\{NODE_VERSION\}-bookworm-slim /);
    // The same release, so the copied binary finds the glibc and libstdc++ it was built against,
    // and the build stops on the first RUN if it does not.
    expect(final[0]).toBe('FROM debian:bookworm-slim');
    expect(final.find((l) => l.startsWith('RUN '))).toMatch(/^RUN node --version +&& /);
  });

  it('builds for amd64 and arm64 alike: no stage pins a platform, every base is an official multi-arch image', () => {
    for (const s of stages) {
      expect(s[0]).not.toMatch(/--platform/);
      expect(s[0]).toMatch(/^FROM (node|debian):/);
    }
    // The user is created without a lastlog entry, which grows with the uid and counts towards size.
    expect(dockerfile).toMatch(/useradd --system --no-log-init /);
  });

  it("runs as the manifests' numeric non-root user, owning nothing it could change", () => {
    const base = parse(readFileSync(path.join(root, 'infra-fixtures/k8s/base/deployment.yaml'), 'utf8')) as {
      spec: { template: { spec: { securityContext: { runAsUser: number; runAsGroup: number } } } };
    };
    const ctx = base.spec.template.spec.securityContext;
    expect(final.filter((l) => l.startsWith('USER '))).toEqual([`USER ${ctx.runAsUser}:${ctx.runAsGroup}`]);
    expect(final.findIndex((l) => l.startsWith('USER '))).toBeGreaterThan(
      final.findIndex((l) => l.startsWith('RUN chown')),
    );
    expect(dockerfile).toMatch(
      /chown -R root:novel \/app && chmod 0750 \/app && chmod 0440 \/app\/server\.mjs/,
    );
    // No mode lets the group or others write.
    for (const [, mode] of dockerfile.matchAll(/chmod (?:-R )?([0-7]{3,4})\b/g)) {
      const [group, other] = mode!.slice(-2).split('').map(Number);
      expect((group! | other!) & 2, `chmod ${mode}`).toBe(0);
    }
  });

  it('checks its health on /healthz every 30 s and serves the port the manifests probe', () => {
    expect(final.find((l) => l.startsWith('HEALTHCHECK'))).toMatch(/--interval=30s .*\/healthz/);
    expect(final).toContain('EXPOSE 8080');
    expect(final).toContain('STOPSIGNAL SIGTERM');
  });

  it('pins esbuild and prom-client to the lockfile versions', () => {
    const install = instructions.find((l) => l.startsWith('RUN npm install'))!;
    for (const pkg of ['esbuild', 'prom-client'])
      expect(install).toContain(`${pkg}@${lock.packages[`node_modules/${pkg}`]!.version}`);
  });

  it('sends only the TypeScript sources to the build, and they are all the app needs', () => {
    expect(readFileSync(path.join(appDir, '.dockerignore'), 'utf8')).toMatch(/^\*\n!\*\.ts\n$/m);
    const imports = spawnSync(
      'grep',
      ['-ho', "from '[^']*'", ...['app', 'server', 'config'].map((f) => path.join(appDir, `${f}.ts`))],
      {
        encoding: 'utf8',
      },
    ).stdout;
    for (const m of imports.matchAll(/from '(\.[^']*)'/g)) expect(m[1]).toMatch(/\.ts$/);
  });
});

describe('the image entrypoint, built on the host', () => {
  const out = mkdtempSync(path.join(tmpdir(), 'novel-engine-image-'));
  afterAll(() => {
    chmodSync(out, 0o755);
    rmSync(out, { recursive: true, force: true });
  });

  it('bundles with the Dockerfile command, serves alone, passes its health check and drains', async () => {
    const build = instructions.find((l) => l.startsWith('RUN npx esbuild'))!;
    const args = words(build.replace(/^RUN npx esbuild /, '')).map((a) =>
      a.startsWith('--outfile=')
        ? `--outfile=${path.join(out, 'server.mjs')}`
        : a === 'server.ts'
          ? path.join(appDir, 'server.ts')
          : a,
    );
    const esbuild = spawnSync(path.join(root, 'node_modules/.bin/esbuild'), [...args, '--log-level=error'], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(esbuild.stderr).toBe('');
    expect(esbuild.status).toBe(0);

    // As in the container: the app's directory cannot be written, and there is no home to write to;
    // as root here, run as the image's user so the modes bind.
    chmodSync(path.join(out, 'server.mjs'), 0o444);
    chmodSync(out, 0o555);
    const asImageUser = process.getuid?.() === 0 ? { uid: 10001, gid: 10001 } : {};
    const child = spawn(process.execPath, ['server.mjs'], {
      ...asImageUser,
      cwd: out,
      env: {
        PATH: process.env.PATH,
        HOME: '/nonexistent',
        PORT: '0',
        HOST: '127.0.0.1',
        DRAIN_DELAY_MS: '0',
        NODE_ENV: 'production',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      const first = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('no listening line in 20 s')), 20_000);
        createInterface({ input: child.stdout! }).once('line', (l) => {
          clearTimeout(timer);
          resolve(l);
        });
        child.once('exit', (code) => reject(new Error(`exited ${code}`)));
      });
      const port = (JSON.parse(first) as { port: number }).port;
      expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
      const healthcheck = JSON.parse(
        /HEALTHCHECK .*?CMD (\[.*\])$/m.exec(instructions.join('\n'))![1]!,
      ) as string[];
      const check = spawnSync(process.execPath, healthcheck.slice(1), {
        env: { PORT: String(port) },
        timeout: 15_000,
      });
      expect(check.status).toBe(0);
      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      const failing = spawnSync(process.execPath, healthcheck.slice(1), {
        env: { PORT: String(port) },
        timeout: 15_000,
      });
      expect(failing.status).toBe(1);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });
});
