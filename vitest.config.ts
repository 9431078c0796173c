import { availableParallelism } from 'node:os';
import { configDefaults, defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The slow suites at real timing have their own run: npm run test:e2e (vitest.e2e.config.ts).
    exclude: [...configDefaults.exclude, 'test/e2e/**'],
    globalSetup: ['test/support/global-setup.ts'],
    testTimeout: 20_000,
    hookTimeout: 30_000,
    pool: 'forks',
    // Most test time is waiting (spawned CLIs, loopback servers, compressed clocks), not CPU: vitest's default of
    // cores − 1 would run one file at a time on a 2-core machine.
    maxWorkers: Math.max(2, availableParallelism()),
  },
});
