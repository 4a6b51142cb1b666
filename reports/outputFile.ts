import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ReportContext } from './reporter.ts';

/**
 * Writes one report file into the run's output directory (created if missing) and returns its
 * path. It writes a temporary sibling and renames it, so a run killed mid-write never leaves a
 * truncated result.json behind for `gauntlet report` to choke on.
 */
export async function writeOutputFile(
  ctx: ReportContext,
  fileName: string,
  content: string | Uint8Array,
): Promise<string> {
  if (!ctx.outDir) throw new Error(`cannot write ${fileName}: the report context has no outDir`);
  await mkdir(ctx.outDir, { recursive: true });
  const path = join(ctx.outDir, fileName);
  const tmp = `${path}.${process.pid}.tmp`;
  try {
    await writeFile(tmp, content, typeof content === 'string' ? 'utf8' : undefined);
    await rename(tmp, path);
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  }
  return path;
}
