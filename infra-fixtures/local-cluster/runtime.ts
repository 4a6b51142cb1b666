/**
 * The local cluster's container runtime config: maps a container image to a local command, so the
 * manifests stay unchanged (`novel-engine:1.0.0` runs `node` on a bundle of infra-fixtures/app/server.ts,
 * as the image does).
 *
 *   loadRuntimeConfig(file?)          → RuntimeConfig   (default: ./runtime.yaml beside this module)
 *   parseRuntimeConfig(text, file)    → RuntimeConfig   (throws RuntimeConfigError naming file and field)
 *   resolveImage(config, image)       → ImageCommand    (throws ImageNotMappedError naming image and file)
 *   containerArgv(image, command?, args?) → string[]     (Docker ENTRYPOINT/CMD rules)
 *
 * File format: see runtime.yaml. The kubelet turns ImageNotMappedError into a container waiting in
 * `ErrImagePull`/`ImagePullBackOff`, as a real node does for an image it cannot pull.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { bundleEntry } from './bundle.ts';

const here = dirname(fileURLToPath(import.meta.url));
export const repoRoot = resolve(here, '..', '..');
export const defaultRuntimeConfigFile = resolve(here, 'runtime.yaml');

export interface ImageMapping {
  /** Image pattern: `*` within a path segment, `**` across segments. */
  readonly image: string;
  /** The image's ENTRYPOINT; empty means the pod's own `command` runs as is. */
  readonly command: readonly string[];
  /** The image's CMD, used when the pod gives neither `command` nor `args`. */
  readonly args: readonly string[];
  /** Working directory of the process. @default the repository root */
  readonly cwd: string;
  /** The image's ENV; the container's `env` overrides it. */
  readonly env: Readonly<Record<string, string>>;
}

export interface RuntimeConfig {
  readonly file: string;
  readonly images: readonly ImageMapping[];
}

/** What runs for one image: the entry's fields plus the pattern that matched. */
export interface ImageCommand extends ImageMapping {
  readonly matched: string;
}

export class RuntimeConfigError extends Error {
  readonly code = 'LOCAL_CLUSTER_RUNTIME_CONFIG_INVALID';
  constructor(message: string) {
    super(message);
    this.name = 'RuntimeConfigError';
  }
}

export class ImageNotMappedError extends Error {
  readonly code = 'LOCAL_CLUSTER_IMAGE_NOT_MAPPED';
  readonly image: string;
  constructor(image: string, file: string) {
    super(
      `image "${image}" is not mapped to a local command in ${file}; add an entry under images: ` +
        `(e.g. - image: '${suggestPattern(image)}' with command: [...])`,
    );
    this.name = 'ImageNotMappedError';
    this.image = image;
  }
}

function suggestPattern(image: string): string {
  const at = normalizeImage(image);
  const colon = at.lastIndexOf(':');
  return `${colon > at.lastIndexOf('/') ? at.slice(0, colon) : at}:*`;
}

/** Where `${bundle:…}` builds go: beside the dependencies, so a fresh clone needs nothing else. */
export const bundleCacheDir = resolve(repoRoot, 'node_modules', '.cache', 'gauntlet-local-cluster');

function expand(value: string): string {
  return value
    .replaceAll('${repo}', repoRoot)
    .replaceAll('${node}', process.execPath)
    .replace(/\$\{bundle:([^}]+)\}/g, (_m, entry: string) => {
      try {
        return bundleEntry(resolve(repoRoot, entry.trim()), bundleCacheDir);
      } catch (e) {
        throw new RuntimeConfigError(`\${bundle:${entry}}: ${e instanceof Error ? e.message : String(e)}`);
      }
    });
}

function stringList(value: unknown, where: string, allowEmpty: boolean): string[] {
  if (
    !Array.isArray(value) ||
    value.some((v) => typeof v !== 'string') ||
    (!allowEmpty && value.length === 0)
  ) {
    throw new RuntimeConfigError(`${where} must be a ${allowEmpty ? '' : 'non-empty '}list of strings`);
  }
  return (value as string[]).map(expand);
}

function parseEntry(raw: unknown, where: string): ImageMapping {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new RuntimeConfigError(`${where} must be a mapping with image and command`);
  }
  const entry = raw as Record<string, unknown>;
  const unknownKeys = Object.keys(entry).filter(
    (k) => !['image', 'command', 'args', 'cwd', 'env'].includes(k),
  );
  if (unknownKeys.length > 0) {
    throw new RuntimeConfigError(
      `${where}.${unknownKeys[0]} is not a known field (image, command, args, cwd, env)`,
    );
  }
  if (typeof entry.image !== 'string' || entry.image.trim() === '') {
    throw new RuntimeConfigError(`${where}.image must be a non-empty image pattern such as 'novel-engine:*'`);
  }
  if (entry.cwd !== undefined && typeof entry.cwd !== 'string') {
    throw new RuntimeConfigError(`${where}.cwd must be a directory path`);
  }
  const env: Record<string, string> = {};
  if (entry.env !== undefined) {
    if (typeof entry.env !== 'object' || entry.env === null || Array.isArray(entry.env)) {
      throw new RuntimeConfigError(`${where}.env must map variable names to strings`);
    }
    for (const [k, v] of Object.entries(entry.env)) {
      if (typeof v !== 'string')
        throw new RuntimeConfigError(`${where}.env.${k} must be a string (quote numbers)`);
      env[k] = expand(v);
    }
  }
  return {
    image: entry.image.trim(),
    command: stringList(entry.command, `${where}.command`, true),
    args: entry.args === undefined ? [] : stringList(entry.args, `${where}.args`, true),
    cwd: entry.cwd === undefined ? repoRoot : resolve(repoRoot, expand(entry.cwd)),
    env,
  };
}

export function parseRuntimeConfig(text: string, file: string): RuntimeConfig {
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (e) {
    throw new RuntimeConfigError(`${file}: not valid YAML (${e instanceof Error ? e.message : String(e)})`);
  }
  const images = (doc as { images?: unknown } | null)?.images;
  if (!Array.isArray(images))
    throw new RuntimeConfigError(`${file}: images must be a list of image mappings`);
  try {
    return { file, images: images.map((raw, i) => parseEntry(raw, `images[${i}]`)) };
  } catch (e) {
    if (e instanceof RuntimeConfigError) throw new RuntimeConfigError(`${file}: ${e.message}`);
    throw e;
  }
}

export function loadRuntimeConfig(file: string = defaultRuntimeConfigFile): RuntimeConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new RuntimeConfigError(
      `${file}: cannot read the runtime config (${(e as NodeJS.ErrnoException).code})`,
    );
  }
  return parseRuntimeConfig(text, file);
}

/** `busybox` → `busybox:latest`; `docker.io/library/x:1` → `x:1`, so patterns see one spelling. */
export function normalizeImage(image: string): string {
  let name = image
    .trim()
    .replace(/^docker\.io\/library\//, '')
    .replace(/^docker\.io\//, '');
  const lastSlash = name.lastIndexOf('/');
  if (!name.includes('@') && name.lastIndexOf(':') <= lastSlash) name += ':latest';
  return name;
}

const patternCache = new Map<string, RegExp>();

function patternRegExp(pattern: string): RegExp {
  let re = patternCache.get(pattern);
  if (!re) {
    const body = pattern
      .split('**')
      .map((part) =>
        part
          .split('*')
          .map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
          .join('[^/]*'),
      )
      .join('.*');
    re = new RegExp(`^${body}$`);
    patternCache.set(pattern, re);
  }
  return re;
}

export function imageMatches(pattern: string, image: string): boolean {
  return patternRegExp(normalizeImage(pattern)).test(normalizeImage(image));
}

export function resolveImage(config: RuntimeConfig, image: string): ImageCommand {
  const entry = config.images.find((e) => imageMatches(e.image, image));
  if (!entry) throw new ImageNotMappedError(image, config.file);
  return { ...entry, matched: entry.image };
}

/**
 * The argv a container runs, by the Docker/Kubernetes rules: a pod `command` replaces ENTRYPOINT
 * and drops CMD; pod `args` replace CMD. Returns an empty list when nothing is left to run.
 */
export function containerArgv(
  image: ImageMapping,
  command: readonly string[] | undefined,
  args: readonly string[] | undefined,
): string[] {
  const entry = command && command.length > 0 ? command : image.command;
  const rest = args && args.length > 0 ? args : command && command.length > 0 ? [] : image.args;
  return [...entry, ...rest];
}
