import { writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { generateK6Script, scriptInputOf } from '../load/k6/script.ts';
import { loadScenarioFile } from '../scenario/load-file.ts';
import * as flag from './flags.ts';

interface ExportFlags {
  url?: string;
  scale?: number;
  out?: string;
}

/**
 * `gauntlet k6 export <scenario>`: the k6 script `--engine k6` would run, for people who run k6
 * themselves (CI, k6 Cloud, k6-operator). Printed to stdout, or written with --out.
 */
export function addK6Command(program: Command, setExit: (code: number) => void): void {
  const k6 = program.command('k6').description('k6 integration: export a scenario as a k6 script');
  k6.command('export')
    .description(
      'print the k6 script for a scenario (executors, request mix, checks, thresholds from the SLAs)',
    )
    .argument('<scenario>', 'scenario file (.ts), e.g. scenarios/smoke.ts')
    .option(
      '--url <url>',
      'default target written into the script (k6 run -e GAUNTLET_TARGET=… overrides it)',
      flag.url('--url'),
    )
    .option('--scale <f>', 'multiply every duration of the scenario', flag.positiveNumber('--scale', '0.1'))
    .option('-o, --out <file>', 'write the script to a file instead of stdout')
    .addHelpText(
      'after',
      `
Examples:
  gauntlet k6 export scenarios/smoke.ts > smoke.js && k6 run smoke.js
  gauntlet k6 export scenarios/smoke.ts --url http://staging:8080 --out smoke.js`,
    )
    .exitOverride()
    .action(async (file: string, opts: ExportFlags) => {
      let scenario = await loadScenarioFile(file, { scale: opts.scale ?? 1 });
      if (opts.url) {
        const u = new URL(opts.url);
        scenario = {
          ...scenario,
          target: { kind: 'url', url: `${u.origin}${u.pathname.replace(/\/+$/, '')}` },
        };
      }
      const script = generateK6Script(scriptInputOf(scenario));
      if (opts.out) {
        await writeFile(opts.out, script);
        process.stderr.write(`wrote ${opts.out}\n`);
      } else process.stdout.write(script);
      setExit(0);
    });
}
