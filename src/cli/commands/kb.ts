/**
 * `wechat-gpt kb`: the knowledge base the bot answers from — build it from folders of documents (and the account's
 * published articles), add to it, list what it holds, and search it the way the bot does for a question.
 */
import { join, relative, resolve } from 'node:path';
import { Command } from 'commander';
import type { BuildSummary } from '../../kb/build.js';
import type { Embedder } from '../../kb/embed.js';
import type { Passage } from '../../kb/types.js';
import { type CliContext, printResult } from '../context.js';
import { createLiveWait } from '../live-wait.js';
import { type LoadedConfig, loadConfig } from '../load-config.js';
import { addConfigOptions, type ConfigFlagOptions, flagValues } from '../options.js';
import type { Theme } from '../theme.js';

interface KbOptions extends ConfigFlagOptions {
  json?: boolean;
  top?: string;
}

export function kbCommand(ctx: CliContext): Command {
  const kb = new Command('kb')
    .description('the knowledge base: answer from your own documents and published articles')
    .addHelpText(
      'after',
      `
Documents are Markdown, text and HTML files. Each build embeds only passages it has not embedded before, with
llm.embeddingModel at llm.baseUrl, and writes the index to kb.dir (.wechat-gpt/kb); serve loads it at start.

Examples:
  $ npx wechat-gpt kb build docs/ faq.md
  $ npx wechat-gpt kb add price-list.md
  $ npx wechat-gpt kb build                 # again from the same sources: only changed text is embedded
  $ npx wechat-gpt kb articles              # the account's published articles (AppID + AppSecret)
  $ npx wechat-gpt kb search "你们几点开门？"
  $ npx wechat-gpt kb list --json`,
    );
  const withOptions = (command: Command) => {
    addConfigOptions(command, { keys: ['llm.baseUrl'], tunnel: false });
    return command.option('--json', 'print the result as JSON');
  };
  kb.addCommand(
    withOptions(
      new Command('build')
        .description('build the index from these folders and files (default: the sources of the last build)')
        .argument('[paths...]', 'folders or files of documents'),
    ).action((paths: string[], options: KbOptions) => build(ctx, paths, options, 'build')),
  );
  kb.addCommand(
    withOptions(
      new Command('add').description('add documents to the index (same names replace)').argument('<paths...>'),
    ).action((paths: string[], options: KbOptions) => build(ctx, paths, options, 'add')),
  );
  kb.addCommand(
    withOptions(
      new Command('articles').description(
        "import the account's published articles (发表记录, freepublish/batchget) and add them to the index",
      ),
    ).action((options: KbOptions) => importArticles(ctx, options)),
  );
  kb.addCommand(
    withOptions(new Command('list').description('the documents in the index')).action((options: KbOptions) =>
      list(ctx, options),
    ),
  );
  kb.addCommand(
    withOptions(
      new Command('search')
        .description('the passages a question retrieves, with their similarity (for tuning)')
        .argument('<question>')
        .option('-k, --top <n>', 'passages to show (default: kb.topK)'),
    ).action((question: string, options: KbOptions) => search(ctx, question, options)),
  );
  return kb;
}

async function settings(ctx: CliContext, options: KbOptions): Promise<{ loaded: LoadedConfig; dir: string }> {
  const loaded = await loadConfig({
    cwd: ctx.cwd,
    env: ctx.env,
    flags: flagValues(options),
    ...(options.config ? { configFile: options.config } : {}),
  });
  for (const warning of loaded.warnings) ctx.logger.warn(warning);
  return { loaded, dir: resolve(ctx.cwd, loaded.config.kb.dir) };
}

async function embedderFor({ config }: LoadedConfig): Promise<Embedder> {
  const { createEmbedder } = await import('../../kb/embed.js');
  return createEmbedder({
    ...(config.llm.apiKey ? { apiKey: config.llm.apiKey } : {}),
    ...(config.llm.baseUrl ? { baseUrl: config.llm.baseUrl } : {}),
    model: config.llm.embeddingModel,
  });
}

async function build(ctx: CliContext, paths: string[], options: KbOptions, mode: 'build' | 'add'): Promise<void> {
  const { loaded, dir } = await settings(ctx, options);
  const { buildKb } = await import('../../kb/build.js');
  const live = createLiveWait(ctx.stderr, ctx.env);
  let done = 0;
  let total = 0;
  live?.start(() => (total ? `embedding ${done}/${total} passages…` : 'reading documents…'));
  let summary: BuildSummary;
  try {
    summary = await buildKb({
      dir,
      paths,
      cwd: ctx.cwd,
      embedder: await embedderFor(loaded),
      mode,
      chunkTokens: loaded.config.kb.chunkTokens,
      onProgress: (progress) => {
        ({ done, total } = progress);
      },
    });
  } finally {
    live?.stop();
  }
  const { embeddingCost } = await import('../../kb/cost.js');
  const cost = embeddingCost(loaded.config.llm.embeddingModel, summary.tokens);
  const result = {
    ...summary,
    model: loaded.config.llm.embeddingModel,
    ...(cost === undefined ? {} : { costUsd: cost }),
  };
  printResult(ctx, result, { json: Boolean(options.json), text: (r) => formatBuild(r, ctx.theme, ctx.cwd) });
}

export function formatBuild(
  summary: BuildSummary & { model: string; costUsd?: number },
  theme: Theme,
  cwd: string,
): string {
  const size = `${(summary.bytes / 1024).toFixed(summary.bytes < 10_240 ? 1 : 0)} KB`;
  const cost = summary.costUsd === undefined ? '' : ` ≈ $${summary.costUsd.toFixed(summary.costUsd < 0.01 ? 6 : 2)}`;
  const where = summary.dir.startsWith(cwd) ? summary.dir.slice(cwd.length + 1) || '.' : summary.dir;
  return [
    `${theme.success('✔')} ${summary.documents} documents → ${summary.chunks} passages ${theme.dim(`in ${where} (version ${summary.version})`)}`,
    `  embedded ${summary.embedded}, reused ${summary.reused} ${theme.dim(`(${summary.model}, ${summary.dimensions} dimensions)`)}`,
    `  ${summary.tokens} tokens${cost}, index ${size} ${theme.dim(`(${summary.index}), ${summary.ms} ms`)}`,
    ...summary.skipped.map((file) => theme.dim(`  skipped ${file} (not .md, .txt or .html)`)),
  ].join('\n');
}

async function importArticles(ctx: CliContext, options: KbOptions): Promise<void> {
  const { loaded, dir } = await settings(ctx, options);
  const { appId, appSecret, apiBase } = loaded.config.wechat;
  const { ConfigError } = await import('../../errors.js');
  if (!appId || !appSecret) {
    throw new ConfigError(
      appId ? 'wechat.appSecret' : 'wechat.appId',
      'Importing articles needs the AppID and AppSecret.',
      {
        hint: 'Set WECHAT_APP_ID and WECHAT_APP_SECRET (公众平台 → 开发 → 基本配置), and add this IP to the IP白名单.',
      },
    );
  }
  const { createWechatApi } = await import('../../wechat-api/client.js');
  const { createMemoryStore } = await import('../../store/memory.js');
  const { fetchPublishedArticles, saveArticles } = await import('../../kb/articles.js');
  const store = createMemoryStore();
  const live = createLiveWait(ctx.stderr, ctx.env);
  let fetched = 0;
  live?.start(() => `fetching published articles… ${fetched}`);
  let articles: Awaited<ReturnType<typeof fetchPublishedArticles>>;
  try {
    const api = createWechatApi({ appId, appSecret, apiBase, store });
    articles = await fetchPublishedArticles(api, {
      onPage: (page) => {
        fetched = page.fetched;
      },
    });
  } finally {
    live?.stop();
    await store.close();
  }
  const folder = join(dir, 'articles');
  await saveArticles(folder, articles);
  ctx.logger.info(`${articles.length} published articles saved in ${relative(ctx.cwd, folder) || '.'}`);
  await build(ctx, [relative(ctx.cwd, folder) || folder], options, 'add');
}

async function list(ctx: CliContext, options: KbOptions): Promise<void> {
  const { dir } = await settings(ctx, options);
  const { readStoredKb } = await import('../../kb/files.js');
  const { KbError } = await import('../../kb/errors.js');
  const stored = await readStoredKb(dir);
  if (!stored)
    throw new KbError('KB_MISSING', `No knowledge base in ${dir}.`, { hint: 'Run `wechat-gpt kb build <folders>`.' });
  const documents = new Map<string, { id: string; title: string; url?: string; passages: number }>();
  for (const chunk of stored.manifest.chunks) {
    const entry = documents.get(chunk.docId) ?? {
      id: chunk.docId,
      title: chunk.title,
      ...(chunk.url ? { url: chunk.url } : {}),
      passages: 0,
    };
    entry.passages++;
    documents.set(chunk.docId, entry);
  }
  const { manifest } = stored;
  const result = {
    version: manifest.version,
    model: manifest.model,
    builtAt: manifest.builtAt,
    sources: manifest.sources,
    documents: [...documents.values()],
  };
  printResult(ctx, result, {
    json: Boolean(options.json),
    text: (r) =>
      [
        `${r.documents.length} documents, ${manifest.chunks.length} passages ${ctx.theme.dim(`(${r.model}, version ${r.version}, built ${r.builtAt})`)}`,
        ...r.documents.map(
          (d) =>
            `  ${d.id}  ${ctx.theme.accent(d.title)} ${ctx.theme.dim(`${d.passages} passage${d.passages === 1 ? '' : 's'}${d.url ? ` ${d.url}` : ''}`)}`,
        ),
      ].join('\n'),
  });
}

async function search(ctx: CliContext, question: string, options: KbOptions): Promise<void> {
  const { loaded, dir } = await settings(ctx, options);
  const { loadKnowledge } = await import('../../kb/knowledge.js');
  const knowledge = await loadKnowledge({ dir, embedder: await embedderFor(loaded) });
  const topK = options.top ? Number.parseInt(options.top, 10) : loaded.config.kb.topK;
  const found = await knowledge.retrieve(question, { topK });
  const { minScore } = loaded.config.kb;
  const result = { question, embedMs: found.embedMs, searchMs: found.searchMs, minScore, passages: found.passages };
  printResult(ctx, result, {
    json: Boolean(options.json),
    text: (r) => formatSearch(r, ctx.theme),
  });
}

function formatSearch(
  r: { question: string; embedMs: number; searchMs: number; minScore: number; passages: Passage[] },
  theme: Theme,
): string {
  const lines = [
    theme.dim(
      `embedding ${r.embedMs} ms, search ${r.searchMs} ms; the bot uses passages scoring ${r.minScore} or more`,
    ),
  ];
  for (const [i, p] of r.passages.entries()) {
    const score = p.score.toFixed(3);
    lines.push(
      `${i + 1}. ${(p.score >= r.minScore ? theme.success : theme.dim)(score)}  ${theme.accent(p.title)} ${theme.dim(p.docId)}`,
      ...p.text.split('\n').map((line) => `   ${line}`),
    );
  }
  return lines.join('\n');
}
