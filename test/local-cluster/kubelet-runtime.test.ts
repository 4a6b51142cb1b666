import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import {
  containerArgv,
  defaultRuntimeConfigFile,
  imageMatches,
  ImageNotMappedError,
  loadRuntimeConfig,
  normalizeImage,
  parseRuntimeConfig,
  repoRoot,
  resolveImage,
  RuntimeConfigError,
} from '../../infra-fixtures/local-cluster/runtime.ts';

describe('runtime config: image → local command', () => {
  it('maps the stack image, bare or from a registry, to the stand-in app in the shipped config', () => {
    const config = loadRuntimeConfig();
    expect(config.file).toBe(defaultRuntimeConfigFile);
    const argv = containerArgv(resolveImage(config, 'novel-engine:1.0.0'), undefined, undefined);
    expect(argv).toHaveLength(2);
    expect(argv[1]).toMatch(/\/node_modules\/\.cache\/gauntlet-local-cluster\/server-[0-9a-f]{8}\.mjs$/);
    const expected = [process.execPath, argv[1]];
    for (const image of [
      'novel-engine:1.0.0',
      'novel-engine',
      'ghcr.io/acme/novel-engine:2.1',
      'registry.local:5000/team/x/novel-engine:3',
    ]) {
      const resolved = resolveImage(config, image);
      expect(containerArgv(resolved, undefined, undefined)).toEqual(expected);
      expect(resolved.cwd).toBe(repoRoot);
    }
    expect(() => resolveImage(config, 'novel-engine-worker:1')).toThrow(ImageNotMappedError);
  });

  it('matches * within a segment and ** across, after normalising tags and docker.io', () => {
    expect(normalizeImage('busybox')).toBe('busybox:latest');
    expect(normalizeImage('docker.io/library/busybox:1.36')).toBe('busybox:1.36');
    expect(normalizeImage('localhost:5000/app')).toBe('localhost:5000/app:latest');
    expect(imageMatches('ghcr.io/*/novel-engine:*', 'ghcr.io/acme/novel-engine:1')).toBe(true);
    expect(imageMatches('ghcr.io/*/novel-engine:*', 'ghcr.io/a/b/novel-engine:1')).toBe(false);
    expect(imageMatches('ghcr.io/**/novel-engine:*', 'ghcr.io/a/b/novel-engine:1')).toBe(true);
    expect(imageMatches('busybox:*', 'docker.io/library/busybox')).toBe(true);
    expect(imageMatches('app:1.*', 'app:10')).toBe(false);
  });

  it('applies the ENTRYPOINT/CMD rules: pod command drops the image args, pod args replace them', () => {
    const image = { image: 'x:*', command: ['entry'], args: ['default'], cwd: '/', env: {} };
    expect(containerArgv(image, undefined, undefined)).toEqual(['entry', 'default']);
    expect(containerArgv(image, undefined, ['mine'])).toEqual(['entry', 'mine']);
    expect(containerArgv(image, ['own'], undefined)).toEqual(['own']);
    expect(containerArgv(image, ['own'], ['a'])).toEqual(['own', 'a']);
  });

  it('names the image and the config file for an unmapped image, with a pattern to add', () => {
    const config = parseRuntimeConfig('images: []', '/etc/rt.yaml');
    expect(() => resolveImage(config, 'ghcr.io/acme/api:2')).toThrow(
      `image "ghcr.io/acme/api:2" is not mapped to a local command in /etc/rt.yaml; add an entry under images: (e.g. - image: 'ghcr.io/acme/api:*' with command: [...])`,
    );
  });

  it('rejects a bad config naming the file and the field', () => {
    const bad: [string, string][] = [
      ['images: {}', 'rt.yaml: images must be a list of image mappings'],
      [
        'images: [{ command: [a] }]',
        "rt.yaml: images[0].image must be a non-empty image pattern such as 'novel-engine:*'",
      ],
      ["images: [{ image: 'a:*', command: a }]", 'rt.yaml: images[0].command must be a list of strings'],
      [
        "images: [{ image: 'a:*', command: [], env: { N: 1 } }]",
        'rt.yaml: images[0].env.N must be a string (quote numbers)',
      ],
      [
        "images: [{ image: 'a:*', command: [], cmd: [] }]",
        'rt.yaml: images[0].cmd is not a known field (image, command, args, cwd, env)',
      ],
      ['images: [', 'rt.yaml: not valid YAML'],
    ];
    for (const [text, message] of bad) {
      expect(() => parseRuntimeConfig(text, 'rt.yaml'), text).toThrow(RuntimeConfigError);
      expect(() => parseRuntimeConfig(text, 'rt.yaml'), text).toThrow(message);
    }
  });
});

describe('runtime config: ${bundle:…} builds the image entry point as its Dockerfile does', () => {
  it('the stack image runs its bundle with plain node, and it serves', async () => {
    const config = loadRuntimeConfig();
    const [node, bundle] = containerArgv(resolveImage(config, 'novel-engine:1'), undefined, undefined);
    const child = spawn(node!, [bundle!], {
      cwd: repoRoot,
      env: { ...process.env, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'silent' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      const port = await new Promise<number>((resolvePort, reject) => {
        let out = '';
        const timer = setTimeout(() => reject(new Error(`no listening line in 15 s: ${out}`)), 15_000);
        child.stdout.on('data', (d: Buffer) => {
          out += d.toString();
          const m = /"port":(\d+)/.exec(out);
          if (m) {
            clearTimeout(timer);
            resolvePort(Number(m[1]));
          }
        });
        child.once('exit', (code) => reject(new Error(`bundle exited ${code}: ${out}`)));
      });
      const res = await fetch(`http://127.0.0.1:${port}/healthz`);
      expect(res.status).toBe(200);
      const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      expect(metrics).toContain('novel_engine_http_request_duration_seconds');
    } finally {
      child.kill('SIGKILL');
    }
  }, 30_000);

  it('names the placeholder and the entry when the entry cannot be bundled', () => {
    const text =
      "images:\n  - image: 'x:*'\n    command: ['${node}', '${bundle:infra-fixtures/app/nope.ts}']\n";
    expect(() => parseRuntimeConfig(text, 'rt.yaml')).toThrow(
      /rt\.yaml: \$\{bundle:infra-fixtures\/app\/nope\.ts\}: cannot bundle .*nope\.ts/,
    );
  });
});
