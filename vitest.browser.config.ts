import { defineConfig } from 'vitest/config';

// The browser tests: the real CLI (built once by the setup) driven in headless Chromium (playwright-core) and Firefox
// ESR (puppeteer-core over WebDriver BiDi), one file after the other. `npm run test:browser`.
export default defineConfig({
  test: {
    include: ['test/browser/**/*.browser.ts'],
    globalSetup: ['test/browser/build.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // A browser on a busy machine: waits for the page are generous (1 s by default), never a measure of speed.
    expect: { poll: { timeout: 10_000 } },
    pool: 'forks',
    fileParallelism: false,
  },
});
