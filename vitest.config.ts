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
    // Files share their worker's module cache (each worker still runs one file at a time): importing src/ and its
    // dependencies once per worker instead of once per file halves the suite's CPU time. Tests keep no state in
    // modules they do not reset; the whole suite passes in either mode (`npx vitest run --isolate` to check).
    isolate: false,
    // Most test time is waiting (spawned CLIs, loopback servers, compressed clocks), not CPU: one file more than the
    // cores (vitest's default, cores − 1, would run one file at a time on a 2-core machine).
    maxWorkers: availableParallelism() + 1,
  },
});
