/**
 * The account's published articles (发表记录) as knowledge base documents: freepublish/batchget paged through, 20 at
 * a time, until total_count; deleted articles left out; each article's HTML turned into clean text with html-to-text,
 * its title and URL kept. `saveArticles` writes them as Markdown with front matter, so a rebuild reads them like any
 * other document and only what changed is embedded again.
 */
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { WechatApi } from '../wechat-api/types.js';
import { htmlToPlainText } from './sources.js';
import type { KbDocument } from './types.js';

/** The most batchget returns in one page. */
const PAGE_SIZE = 20;

interface BatchgetAnswer {
  total_count: number;
  item_count: number;
  item?: {
    article_id: string;
    content?: {
      news_item?: { title?: string; content?: string; url?: string; is_deleted?: boolean }[];
    };
  }[];
}

export interface FetchArticlesOptions {
  signal?: AbortSignal;
  /** Called after each page: articles so far, and the publications in all. */
  onPage?: (progress: { fetched: number; total: number }) => void;
}

export async function fetchPublishedArticles(
  api: Pick<WechatApi, 'call'>,
  { signal, onPage }: FetchArticlesOptions = {},
): Promise<KbDocument[]> {
  const { convert } = await import('html-to-text');
  const documents: KbDocument[] = [];
  for (let offset = 0; ; ) {
    const page = await api.call<BatchgetAnswer>('/cgi-bin/freepublish/batchget', {
      json: { offset, count: PAGE_SIZE, no_content: 0 },
      ...(signal ? { signal } : {}),
    });
    const items = page.item ?? [];
    for (const item of items) {
      for (const [index, news] of (item.content?.news_item ?? []).entries()) {
        if (news.is_deleted) continue;
        const text = htmlToPlainText(convert, news.content ?? '');
        if (!text) continue;
        documents.push({
          id: `article-${item.article_id.replace(/[^\w-]/g, '_')}-${index}`,
          title: news.title?.trim() || '无标题',
          ...(news.url ? { url: news.url } : {}),
          text,
        });
      }
    }
    offset += items.length;
    onPage?.({ fetched: documents.length, total: page.total_count });
    if (items.length === 0 || offset >= page.total_count) return documents;
  }
}

/** Writes the articles to `dir` as Markdown (front matter: title, url), replacing the articles saved before. */
export async function saveArticles(dir: string, documents: KbDocument[]): Promise<string[]> {
  const { stringify } = await import('yaml');
  await mkdir(dir, { recursive: true });
  const fresh = new Set(documents.map((d) => `${d.id}.md`));
  for (const old of await readdir(dir)) {
    if (old.startsWith('article-') && old.endsWith('.md') && !fresh.has(old)) await rm(join(dir, old));
  }
  const files: string[] = [];
  for (const document of documents) {
    const front = stringify({ title: document.title, ...(document.url ? { url: document.url } : {}) });
    const file = join(dir, `${document.id}.md`);
    await writeFile(file, `---\n${front}---\n${document.text}\n`);
    files.push(file);
  }
  return files;
}
