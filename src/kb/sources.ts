/**
 * Reads source documents from files and folders: Markdown and plain text as they are, HTML through html-to-text.
 * A title comes from YAML front matter (`title:`, and `url:` for a link), else the first heading or <title>, else
 * the file name. Other files in a folder are skipped (and counted), hidden ones and node_modules ignored.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, extname, join, relative, resolve } from 'node:path';
import { KbError } from './errors.js';
import type { KbDocument } from './types.js';

export const TEXT_EXTENSIONS = ['.md', '.markdown', '.txt', '.html', '.htm'] as const;

export interface ReadSourcesResult {
  documents: KbDocument[];
  /** Files in the folders that are not documents we read. */
  skipped: string[];
}

/** Reads every document under the paths; ids are relative to `cwd`, so a folder read twice gives the same ids. */
export async function readSources(paths: string[], cwd: string): Promise<ReadSourcesResult> {
  const documents: KbDocument[] = [];
  const skipped: string[] = [];
  for (const path of paths) {
    const absolute = resolve(cwd, path);
    const info = await stat(absolute).catch(() => undefined);
    if (!info) {
      throw new KbError('KB_NO_DOCUMENTS', `${path} does not exist.`, {
        hint: 'Give folders or files of Markdown, text or HTML documents, e.g. `wechat-gpt kb build docs/`.',
      });
    }
    const files = info.isDirectory() ? await listFiles(absolute) : [absolute];
    for (const file of files) {
      if (!(TEXT_EXTENSIONS as readonly string[]).includes(extname(file).toLowerCase())) {
        skipped.push(relative(cwd, file));
        continue;
      }
      const document = await readDocument(file, relative(cwd, file).split('\\').join('/'));
      if (document.text) documents.push(document);
    }
  }
  return { documents, skipped };
}

async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name))
    .filter(
      (file) =>
        !relative(dir, file)
          .split(/[\\/]/)
          .some((part) => part.startsWith('.') || part === 'node_modules'),
    )
    .sort();
}

export async function readDocument(file: string, id: string): Promise<KbDocument> {
  const raw = await readFile(file, 'utf8');
  const extension = extname(file).toLowerCase();
  if (extension === '.html' || extension === '.htm') return { id, ...(await fromHtml(raw, basename(file, extension))) };
  return { id, ...(await fromText(raw, basename(file, extension))) };
}

/** Markdown or text: front matter, then the first `# heading` as the title. */
async function fromText(raw: string, fallbackTitle: string): Promise<Omit<KbDocument, 'id'>> {
  const front = /^---\r?\n([\s\S]*?)\r?\n---\r?\n?/.exec(raw);
  let meta: { title?: unknown; url?: unknown } = {};
  if (front) {
    const { parse } = await import('yaml');
    const parsed: unknown = parse(front[1] ?? '');
    if (parsed && typeof parsed === 'object') meta = parsed as typeof meta;
  }
  const text = (front ? raw.slice(front[0].length) : raw).trim();
  const heading = /^#{1,3}\s+(.+)$/m.exec(text)?.[1]?.trim();
  const title = typeof meta.title === 'string' ? meta.title : (heading ?? fallbackTitle);
  return { title, text, ...(typeof meta.url === 'string' ? { url: meta.url } : {}) };
}

/** HTML (a saved page, an article's content): the text without markup, links and images dropped. */
export async function fromHtml(html: string, fallbackTitle: string): Promise<Omit<KbDocument, 'id'>> {
  const { convert } = await import('html-to-text');
  const title = /<title[^>]*>([^<]*)<\/title>/i.exec(html)?.[1]?.trim();
  const text = htmlToPlainText(convert, html);
  return { title: title || fallbackTitle, text };
}

export function htmlToPlainText(convert: typeof import('html-to-text').convert, html: string): string {
  return convert(html, {
    wordwrap: false,
    selectors: [
      { selector: 'a', options: { ignoreHref: true } },
      // Headings as written: html-to-text upper-cases them by default.
      ...['h1', 'h2', 'h3', 'h4', 'h5', 'h6'].map((selector) => ({ selector, options: { uppercase: false } })),
      { selector: 'img', format: 'skip' },
      { selector: 'title', format: 'skip' },
      { selector: 'script', format: 'skip' },
      { selector: 'style', format: 'skip' },
    ],
  })
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}
