import { defineConfig } from 'vitest/config';

/**
 * The slow end-to-end suites (`npm run test:e2e`): real timing, real redis-server processes stalled, flushed and
 * restarted, real CLI processes killed. One file at a time, so that they do not load each other's clocks.
 */
export default defineConfig({
  test: {
    include: ['test/e2e/**/*.test.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    testTimeout: 120_000,
    hookTimeout: 60_000,
    pool: 'forks',
    fileParallelism: false,
  },
});
