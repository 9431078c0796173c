/**
 * `wechat-gpt kb` as users run it: the built binary in a temp folder, the embeddings from the fake OpenAI server.
 * build, an incremental build, list and search print what they did; errors carry a hint and exit 1.
 */
import { cpSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeOpenAI, startFakeOpenAI } from '../support/fake-openai.js';
import { runCli, tempDir } from './run-cli.js';
import { startCli } from './spawn-cli.js';

const FIXTURES = join(import.meta.dirname, '../fixtures/kb');

let fake: FakeOpenAI;
beforeAll(async () => {
  fake = await startFakeOpenAI();
});
afterAll(async () => {
  await fake.close();
});

describe('wechat-gpt kb', () => {
  // Four runs of the CLI: generous for a loaded machine.
  it('builds, rebuilds only what changed, lists and searches', { timeout: 180_000 }, async () => {
    const dir = tempDir();
    try {
      cpSync(FIXTURES, join(dir.path, 'docs'), { recursive: true });
      const env = { OPENAI_BASE_URL: fake.url, NO_COLOR: '1' };
      const built = await runCli(['kb', 'build', 'docs'], { cwd: dir.path, env, timeoutMs: 60_000 });
      expect(built.code).toBe(0);
      expect(built.stdout).toMatch(/✔ 4 documents → 4 passages in \.wechat-gpt\/kb \(version [0-9a-f]{16}\)/);
      expect(built.stdout).toContain('embedded 4, reused 0 (text-embedding-3-small, 256 dimensions)');
      expect(built.stdout).toMatch(/\d+ tokens ≈ \$0\.0000\d+, index [\d.]+ KB \(hnsw\)/);
      expect(built.stdout).toContain('skipped docs/logo.png');

      writeFileSync(join(dir.path, 'docs/contact.txt'), 'Contact us\n\nCall 400-000-0000.\n');
      const again = await runCli(['kb', 'build', '--json'], { cwd: dir.path, env, timeoutMs: 60_000 });
      expect(again.code).toBe(0);
      expect(JSON.parse(again.stdout)).toMatchObject({ documents: 4, embedded: 1, reused: 3 });

      const list = await runCli(['kb', 'list', '--json'], { cwd: dir.path, env, timeoutMs: 60_000 });
      expect(JSON.parse(list.stdout).documents.map((d: { title: string }) => d.title)).toEqual([
        'contact',
        '营业时间',
        '退货政策',
        'Shipping',
      ]);

      const search = await runCli(['kb', 'search', '退货怎么办？', '--top', '1'], {
        cwd: dir.path,
        env,
        timeoutMs: 60_000,
      });
      expect(search.code).toBe(0);
      expect(search.stdout).toMatch(/^1\. [\d.]+ {2}退货政策 docs\/returns\.md$/m);
    } finally {
      dir.remove();
    }
  });

  it('serve loads the knowledge base at start and answers from it, citing the document', {
    timeout: 180_000,
  }, async () => {
    const dir = tempDir();
    try {
      cpSync(FIXTURES, join(dir.path, 'docs'), { recursive: true });
      // The fake's embeddings are a bag of words: similarities run lower than real ones.
      writeFileSync(join(dir.path, 'wechat-gpt.config.json'), JSON.stringify({ kb: { minScore: 0.1 } }));
      const env = { OPENAI_BASE_URL: fake.url, WECHAT_TOKEN: 'kbToken123', NO_COLOR: '1' };
      expect((await runCli(['kb', 'build', 'docs'], { cwd: dir.path, env, timeoutMs: 60_000 })).code).toBe(0);

      fake.setDefault({ reply: '周六上午十点开门 [1]。' });
      const serve = startCli(['serve', '--port', '0', '--json'], { cwd: dir.path, env });
      try {
        const ready = JSON.parse(await serve.waitForLine((l) => l.startsWith('{"event":"ready"'), 60_000)) as {
          url: string;
        };
        expect(serve.stderr).toContain('Knowledge base: 4 documents, 4 passages');
        const run = await runCli(['simulate', '--url', ready.url, '--json', '周六几点开门？'], {
          cwd: dir.path,
          env,
          timeoutMs: 60_000,
        });
        expect(run.code).toBe(0);
        expect(JSON.parse(run.stdout).userSees).toBe('周六上午十点开门 [1]。\n\n来源：营业时间');
      } finally {
        serve.kill('SIGKILL');
        fake.reset();
      }
    } finally {
      dir.remove();
    }
  });

  it('says how to build when there is no knowledge base; a wrong command line exits 2', {
    timeout: 60_000,
  }, async () => {
    const dir = tempDir();
    try {
      const usage = await runCli(['kb', 'add'], { cwd: dir.path, env: { NO_COLOR: '1' }, timeoutMs: 60_000 });
      expect(usage.code).toBe(2);
      expect(usage.stderr).toContain("missing required argument 'paths'");
      const result = await runCli(['kb', 'list'], { cwd: dir.path, env: { NO_COLOR: '1' }, timeoutMs: 60_000 });
      expect(result.code).toBe(1);
      expect(result.stderr).toContain('No knowledge base in');
      expect(result.stderr).toContain('kb build');
    } finally {
      dir.remove();
    }
  });
});
