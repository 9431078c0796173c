import { defineConfig } from 'vitest/config';

// The slow end-to-end suites (WeChat's real 5 s timing): `npm run test:e2e`, also run by .ci/run.
export default defineConfig({
  test: {
    include: ['test/e2e/**/*.test.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    testTimeout: 90_000,
    hookTimeout: 30_000,
    pool: 'forks',
  },
});
