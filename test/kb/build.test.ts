/**
 * Building the knowledge base over test/fixtures/kb with the real openai SDK against the fake embeddings endpoint
 * (a deterministic hashed bag of words): chunks and files, an incremental rebuild that embeds only what changed,
 * and search that finds the right document.
 */
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { buildKb } from '../../src/kb/build.js';
import { createEmbedder } from '../../src/kb/embed.js';
import { loadKnowledge } from '../../src/kb/knowledge.js';
import type { KbManifest } from '../../src/kb/types.js';
import { type FakeOpenAI, startFakeOpenAI } from '../support/fake-openai.js';

const FIXTURES = join(import.meta.dirname, '../fixtures/kb');

let fake: FakeOpenAI;
let work: string;
beforeAll(async () => {
  fake = await startFakeOpenAI({ apiKey: 'sk-test' });
});
afterAll(async () => {
  await fake.close();
});
beforeEach(async (context) => {
  fake.reset();
  work = await mkdtemp(join(tmpdir(), 'wechat-gpt-kb-'));
  await cp(FIXTURES, join(work, 'docs'), { recursive: true });
  context.onTestFinished(() => rm(work, { recursive: true, force: true }));
});

const embedder = () =>
  createEmbedder({
    apiKey: 'sk-test',
    baseUrl: fake.url,
    model: 'test-embedding',
    batchSize: 2,
    maxRetries: 1,
    retryDelayMs: 1,
  });
const build = (mode: 'build' | 'add' = 'build', paths = ['docs']) =>
  buildKb({ dir: join(work, 'kb'), paths, cwd: work, embedder: embedder(), mode });
const embeddedTexts = () =>
  fake.requests.filter((r) => r.endpoint === 'embeddings').flatMap((r) => (r.body as { input: string[] }).input);

describe('kb build', () => {
  it('reads Markdown, text and HTML, skips other files, and writes the manifest, vectors and graph', async () => {
    const progress: number[] = [];
    const summary = await buildKb({
      dir: join(work, 'kb'),
      paths: ['docs'],
      cwd: work,
      embedder: embedder(),
      mode: 'build',
      onProgress: ({ done }) => progress.push(done),
    });
    expect(summary).toMatchObject({
      documents: 4,
      reused: 0,
      dimensions: 256,
      index: 'hnsw',
      skipped: ['docs/logo.png'],
    });
    expect(summary.embedded).toBe(summary.chunks);
    expect(summary.tokens).toBeGreaterThan(0);
    // Batches of two, with progress after each.
    expect(progress.at(-1)).toBe(summary.chunks);
    expect(fake.requests.filter((r) => r.endpoint === 'embeddings').length).toBe(Math.ceil(summary.chunks / 2));

    const manifest = JSON.parse(await readFile(join(work, 'kb/manifest.json'), 'utf8')) as KbManifest;
    const titles = Object.fromEntries(manifest.chunks.map((c) => [c.docId, c.title]));
    expect(titles).toEqual({
      'docs/contact.txt': 'contact',
      'docs/hours.md': '营业时间',
      'docs/returns.md': '退货政策',
      'docs/shipping.html': 'Shipping',
    });
    expect(manifest.chunks.find((c) => c.docId === 'docs/hours.md')?.url).toBe('https://example.com/hours');
    const html = manifest.chunks
      .filter((c) => c.docId === 'docs/shipping.html')
      .map((c) => c.text)
      .join('\n');
    expect(html).toContain('SF Express');
    expect(html).toMatch(/^Shipping\n/);
    expect(html).not.toMatch(/<p>|console\.log|color:red/);
    const vectors = await readFile(join(work, 'kb/vectors.f32'));
    expect(vectors.byteLength).toBe(manifest.chunks.length * 256 * 4);
    expect(manifest.sources).toEqual(['docs']);
  });

  it('rebuilds incrementally: only the changed file is embedded again, and the version changes', async () => {
    const first = await build();
    fake.reset();
    const unchanged = await build('build', []); // no paths: the sources of the last build
    expect(unchanged).toMatchObject({ embedded: 0, reused: first.chunks, version: first.version });
    expect(embeddedTexts()).toEqual([]);

    await writeFile(
      join(work, 'docs/returns.md'),
      '# 退货政策\n\n收到商品十四天内可以无理由退货。定制商品不支持退货。\n',
    );
    fake.reset();
    const second = await build();
    expect(second.embedded).toBe(1);
    expect(embeddedTexts()).toEqual(['# 退货政策\n收到商品十四天内可以无理由退货。定制商品不支持退货。']);
    expect(second.reused).toBe(second.chunks - 1);
    expect(second.version).not.toBe(first.version);
  });

  it('add keeps the other documents; build drops the documents no longer in the sources', async () => {
    await build('build', ['docs/hours.md']);
    const added = await build('add', ['docs/returns.md']);
    expect(added.documents).toBe(2);
    const rebuilt = await build('build', ['docs/returns.md']);
    expect(rebuilt.documents).toBe(1);
    expect(rebuilt.embedded).toBe(0);
  });

  it('search finds the document that answers the question', async () => {
    await build();
    const knowledge = await loadKnowledge({ dir: join(work, 'kb'), embedder: embedder() });
    expect(knowledge).toMatchObject({ documents: 4, index: 'hnsw' });
    const { passages } = await knowledge.retrieve('周六几点开门？', { topK: 2 });
    expect(passages[0]?.title).toBe('营业时间');
    expect(passages[0]?.score).toBeGreaterThan(passages[1]?.score ?? 0);
    const shipping = await knowledge.retrieve('Is shipping free over 99 yuan?', { topK: 1 });
    expect(shipping.passages[0]?.title).toBe('Shipping');
  });

  it('retries a failed embeddings request', async () => {
    fake.script({ status: 503 }, 'embeddings');
    const summary = await build('build', ['docs/hours.md']);
    expect(summary.embedded).toBeGreaterThan(0);
    expect(fake.requests.filter((r) => r.endpoint === 'embeddings').length).toBe(2);
  });

  it('a missing folder is a clear error', async () => {
    await expect(build('build', ['nope'])).rejects.toMatchObject({ code: 'KB_NO_DOCUMENTS' });
  });
});
