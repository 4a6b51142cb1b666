/** The reporters' public surface: pure renderers, the file-writing reporters, and their plumbing. */
export type { ProgressSnapshot, ReportContext, Reporter, RunInfo } from './reporter.ts';
export { RESULT_FILE, jsonReporter, renderJson } from './json.ts';
export { JUNIT_FILE, junitReporter, renderJunit } from './junit.ts';
export { MARKDOWN_FILE, markdownReporter, renderMarkdown } from './markdown.ts';
export { renderConsoleSummary } from './consoleSummary.ts';
export type { ConsoleSummaryOptions } from './consoleSummary.ts';
export { consoleReporter, progressLine } from './console.ts';
export type { ConsoleReporterOptions, ConsoleStream } from './console.ts';
export { createMultiplexer } from './multiplexer.ts';
export type { Multiplexer, MultiplexerOptions, ReporterError, ReporterHook } from './multiplexer.ts';
export { builtinReporterNames, builtinReporters, createReporters, isBuiltinReporter } from './registry.ts';
export type { BuiltinReporter, BuiltinReporterOptions } from './registry.ts';
export { ResultFileError, loadResult } from './loadResult.ts';
