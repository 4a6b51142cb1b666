/**
 * The built-in reporters by name. The names live in one `as const` array, so the runtime list (for
 * help text and errors) and the `BuiltinReporter` type cannot drift apart.
 */
import { UsageError } from '../lib/errors.ts';
import { consoleReporter } from './console.ts';
import type { ConsoleReporterOptions } from './console.ts';
import type { MarkdownReporterOptions } from './markdown.ts';
import { jsonReporter } from './json.ts';
import { junitReporter } from './junit.ts';
import { markdownReporter } from './markdown.ts';
import { htmlReporter } from './html/report.ts';
import { pngReporter } from './charts/png.ts';
import type { Reporter } from './reporter.ts';

export const builtinReporterNames = ['json', 'junit', 'markdown', 'console', 'html', 'png'] as const;
export type BuiltinReporter = (typeof builtinReporterNames)[number];

/** Options per reporter, keyed by reporter name; reporters without options take none. */
export interface BuiltinReporterOptions {
  readonly console?: ConsoleReporterOptions;
  readonly markdown?: MarkdownReporterOptions;
}

export const builtinReporters = {
  json: () => jsonReporter(),
  junit: () => junitReporter(),
  markdown: (options) => markdownReporter(options.markdown),
  console: (options) => consoleReporter(options.console),
  html: () => htmlReporter(),
  png: () => pngReporter(),
} as const satisfies Record<BuiltinReporter, (options: BuiltinReporterOptions) => Reporter>;

export function isBuiltinReporter(name: string): name is BuiltinReporter {
  return (builtinReporterNames as readonly string[]).includes(name);
}

/**
 * Reporters for the given names, in order, each once. Every unknown name is reported at once,
 * with the valid ones, so one `--reporter` typo costs one retry.
 */
export function createReporters(names: readonly string[], options: BuiltinReporterOptions = {}): Reporter[] {
  const unknown = names.filter((n) => !isBuiltinReporter(n));
  if (unknown.length > 0) {
    const list = unknown.map((n) => `'${n}'`).join(', ');
    throw new UsageError(
      `unknown reporter${unknown.length > 1 ? 's' : ''} ${list}; valid reporters: ${builtinReporterNames.join(', ')}`,
    );
  }
  const unique = [...new Set(names)] as BuiltinReporter[];
  // The summary embeds the chart images and links the HTML report only when they are written too.
  const markdown = {
    charts: unique.includes('png'),
    html: unique.includes('html'),
    ...options.markdown,
  };
  return unique.map((name) => builtinReporters[name]({ ...options, markdown }));
}
