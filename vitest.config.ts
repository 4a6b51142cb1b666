import { configDefaults, defineConfig } from 'vitest/config';

/**
 * The seeded-broken stack table deploys eight overlays on a local cluster and runs a scenario
 * against each: close to three minutes on two cores, so it has its own script (`npm run
 * test:stacks`, vitest.stacks.config.ts), which CI runs after this suite.
 */
export const longSuites = ['test/scenarios/broken-stacks.test.ts'];

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: [...configDefaults.exclude, ...longSuites],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Integration suites spawn real servers; the machines have 2 cores.
    fileParallelism: true,
    maxWorkers: 2,
    reporters: ['default'],
  },
});
