/** `kubectl kustomize <dir>` (kustomize built into kubectl; offline) and the objects it prints. */
import { execFile } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import type { KubeObject } from './schema.ts';

export function kustomize(dir: string): Promise<KubeObject[]> {
  return new Promise((resolve, reject) => {
    execFile(
      'kubectl',
      ['kustomize', dir],
      { timeout: 60_000, maxBuffer: 16 << 20 },
      (err, stdout, stderr) => {
        if (err) return reject(new Error(`kubectl kustomize ${dir}: ${stderr.trim() || err.message}`));
        const docs = parseAllDocuments(stdout);
        const bad = docs.find((d) => d.errors.length);
        if (bad) return reject(new Error(`kubectl kustomize ${dir}: not YAML: ${bad.errors[0]!.message}`));
        resolve(docs.map((d) => d.toJS() as KubeObject).filter(Boolean));
      },
    );
  });
}

/** Every directory holding a kustomization.yaml under `root` (the root included), relative to it. */
export function kustomizations(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    if (existsSync(path.join(dir, 'kustomization.yaml'))) out.push(path.relative(root, dir) || '.');
    for (const e of readdirSync(dir, { withFileTypes: true }))
      if (e.isDirectory()) walk(path.join(dir, e.name));
  };
  walk(root);
  return out.sort();
}
