/**
 * The build stage of an image, for the local cluster's runtime: bundles a TypeScript entry point
 * into one ES module with the same esbuild options as infra-fixtures/app/Dockerfile, so a pod runs
 * what the image runs. It also makes a pod start cheap: plain `node` on the bundle needs about a
 * third of the CPU of `node --import tsx` on the sources, and on a 2-core machine every
 * HPA scale-up otherwise stalls the load generator beside it.
 *
 *   bundleEntry('/repo/infra-fixtures/app/server.ts') → '/repo/node_modules/.cache/gauntlet-local-cluster/server-1a2b3c4d.mjs'
 *
 * Built once per process and entry; the file is written under a temporary name and renamed, so
 * clusters in other processes building the same entry at the same time never see half a file.
 */
import { createHash, randomUUID } from 'node:crypto';
import { mkdirSync, renameSync, rmSync } from 'node:fs';
import { basename, extname, join, resolve } from 'node:path';
import { buildSync } from 'esbuild';

export class BundleError extends Error {
  readonly code = 'LOCAL_CLUSTER_BUNDLE_FAILED';
  constructor(message: string) {
    super(message);
    this.name = 'BundleError';
  }
}

const built = new Map<string, string>();

export function bundleEntry(entry: string, cacheDir: string): string {
  const source = resolve(entry);
  const done = built.get(source);
  if (done) return done;
  mkdirSync(cacheDir, { recursive: true });
  const id = createHash('sha256').update(source).digest('hex').slice(0, 8);
  const out = join(cacheDir, `${basename(source, extname(source))}-${id}.mjs`);
  const tmp = `${out}.${process.pid}-${randomUUID()}.tmp`;
  try {
    buildSync({
      entryPoints: [source],
      bundle: true,
      platform: 'node',
      target: 'node20',
      format: 'esm',
      // Bundled CommonJS dependencies (prom-client) call require(); an ES module has none.
      banner: {
        js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
      },
      outfile: tmp,
      logLevel: 'silent',
    });
    renameSync(tmp, out);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw new BundleError(`cannot bundle ${source}: ${e instanceof Error ? e.message : String(e)}`);
  }
  built.set(source, out);
  return out;
}
