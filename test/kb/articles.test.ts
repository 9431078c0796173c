/**
 * Importing the account's published articles: the real WeChat API client against the local fake api.weixin.qq.com
 * holding two pages of publications (20 + 5, one article deleted), saved as Markdown and built into the knowledge
 * base with their titles and URLs.
 */
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fetchPublishedArticles, saveArticles } from '../../src/kb/articles.js';
import { buildKb } from '../../src/kb/build.js';
import { createEmbedder } from '../../src/kb/embed.js';
import { loadKnowledge } from '../../src/kb/knowledge.js';
import { createMemoryStore } from '../../src/store/memory.js';
import { createWechatApi } from '../../src/wechat-api/client.js';
import { type FakeOpenAI, startFakeOpenAI } from '../support/fake-openai.js';
import { type FakeWechatApi, type PublishedItem, startFakeWechatApi } from '../support/fake-wechat-api.js';

const APP = { appId: 'wx1234567890abcdef', appSecret: 'secret-for-articles' };

const published: PublishedItem[] = Array.from({ length: 25 }, (_, i) => ({
  article_id: `ART_${i}`,
  content: {
    news_item: [
      {
        title: i === 7 ? '会员积分规则' : `第 ${i} 期周报`,
        url: `https://mp.weixin.qq.com/s/article${i}`,
        content:
          i === 7
            ? '<section><p>每消费 1 元积 1 分，<strong>100 积分</strong>抵 1 元。</p><img src="x.png"></section>'
            : `<p>第 ${i} 期：本周新品上架。</p>`,
        ...(i === 3 ? { is_deleted: true } : {}),
      },
    ],
  },
}));

let api: FakeWechatApi;
let embeddings: FakeOpenAI;
beforeAll(async () => {
  api = await startFakeWechatApi({ ...APP, published });
  embeddings = await startFakeOpenAI();
});
afterAll(async () => {
  await api.close();
  await embeddings.close();
});

describe('published articles', () => {
  it('pages through freepublish/batchget, keeps titles and URLs, drops deleted ones, and builds them in', async () => {
    const store = createMemoryStore();
    const client = createWechatApi({ ...APP, apiBase: api.url, store });
    const pages: number[] = [];
    const articles = await fetchPublishedArticles(client, { onPage: ({ fetched }) => pages.push(fetched) });
    await store.close();

    const requests = api.callsTo('/cgi-bin/freepublish/batchget').map((call) => call.body);
    expect(requests).toEqual([
      { offset: 0, count: 20, no_content: 0 },
      { offset: 20, count: 20, no_content: 0 },
    ]);
    expect(pages).toEqual([19, 24]);
    expect(articles).toHaveLength(24);
    const points = articles.find((a) => a.title === '会员积分规则');
    expect(points).toEqual({
      id: 'article-ART_7-0',
      title: '会员积分规则',
      url: 'https://mp.weixin.qq.com/s/article7',
      text: '每消费 1 元积 1 分，100 积分抵 1 元。',
    });

    const work = await mkdtemp(join(tmpdir(), 'wechat-gpt-articles-'));
    try {
      const dir = join(work, 'kb/articles');
      await saveArticles(dir, articles);
      expect((await readdir(dir)).length).toBe(24);
      const embedder = createEmbedder({ baseUrl: embeddings.url, model: 'test-embedding' });
      const summary = await buildKb({
        dir: join(work, 'kb'),
        paths: ['kb/articles'],
        cwd: work,
        embedder,
        mode: 'add',
      });
      expect(summary.documents).toBe(24);
      const knowledge = await loadKnowledge({ dir: join(work, 'kb'), embedder });
      const { passages } = await knowledge.retrieve('积分怎么抵扣？', { topK: 1 });
      expect(passages[0]).toMatchObject({ title: '会员积分规则', url: 'https://mp.weixin.qq.com/s/article7' });

      // Saving again without an article removes its file.
      await saveArticles(dir, articles.slice(1));
      expect((await readdir(dir)).length).toBe(23);
    } finally {
      await rm(work, { recursive: true, force: true });
    }
  });
});
