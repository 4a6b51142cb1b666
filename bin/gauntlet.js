#!/usr/bin/env node
// Entry point: registers the TypeScript loader so gauntlet's sources and users' scenario files
// (.ts) run without a build step, then hands over to the CLI.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../lib/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
