import { defineConfig } from 'vitest/config';
import base, { longSuites } from './vitest.config.ts';

/** `npm run test:stacks`: the long suites `npm test` leaves out (see vitest.config.ts). */
export default defineConfig({ test: { ...base.test, include: longSuites, exclude: [] } });
