/**
 * The CLI's entry point in the test's own process, with stdout and stderr captured. Commands that
 * only read and write files (report, compare, usage errors) need no process of their own, and
 * starting one (with its TypeScript loader) costs seconds each on a busy two-core machine. The
 * binary itself is still spawned by at least one test of each such suite.
 */
import { vi } from 'vitest';
import { main } from '../../lib/cli/main.ts';

export interface InProcessRun {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export async function gauntletInProcess(args: readonly string[]): Promise<InProcessRun> {
  let stdout = '';
  let stderr = '';
  const text = (chunk: string | Uint8Array): string =>
    typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString();
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stdout += text(chunk);
    return true;
  });
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stderr += text(chunk);
    return true;
  });
  try {
    return { exitCode: await main(args), stdout, stderr };
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
}
