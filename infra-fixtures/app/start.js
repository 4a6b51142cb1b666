// Launcher for any working directory: `node <repo>/infra-fixtures/app/start.js`.
// `node --import tsx` resolves tsx from the current directory, so it only works inside the repo;
// here tsx is resolved from this file instead, then the TypeScript entry is loaded through it.
import { register } from 'tsx/esm/api';

register();
await import('./server.ts');
