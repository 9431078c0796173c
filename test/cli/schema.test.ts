import { describe, expect, it } from 'vitest';
import { loadConfigSchema } from '../../src/cli/files.js';
import { leafKeys } from '../../src/cli/object-paths.js';
import { checkSchema, closest, type JsonSchema } from '../../src/cli/schema-check.js';
import { SETTINGS } from '../../src/cli/settings.js';
import { starterConfig } from '../../src/cli/templates.js';
import { resolveConfig } from '../../src/config.js';

const schema = loadConfigSchema();

/** The schema node for a dotted key, following properties only. */
function nodeAt(key: string): JsonSchema | undefined {
  let node: JsonSchema | undefined = schema;
  for (const part of key.split('.')) node = node?.properties?.[part];
  return node;
}

describe('the config file schema', () => {
  it('has a place for every setting the library resolves, and for every CLI setting', () => {
    const resolved = resolveConfig(
      { wechat: { token: 'abc', encodingAesKey: 'x', appId: 'y', appSecret: 'z' } },
      { validate: false },
    );
    const missing = [...leafKeys(resolved), ...SETTINGS.map((s) => s.key), 'serve.tunnel'].filter(
      (key) => !nodeAt(key),
    );
    expect(missing).toEqual([]);
  });

  it('accepts the starter file and a file using every section', () => {
    expect(checkSchema(starterConfig('./schema.json'), schema)).toBeUndefined();
    const full = {
      wechat: { appId: 'wx1234567890abcdef', apiBase: 'http://127.0.0.1:9000' },
      path: '/wx',
      llm: { model: 'deepseek-chat', temperature: 0.7, maxTokens: 800, stream: false, timeoutMs: 30000 },
      session: { maxTurns: 5, maxTokens: 2000, idleMs: 60000 },
      timing: {
        wechatTimeoutMs: 500,
        replyBudgetMs: 450,
        attempts: 3,
        replayWindowSec: 0,
        jobTtlMs: 1,
        outboxTtlMs: 1,
      },
      delivery: 'passive',
      commands: { reset: ['/new'], help: ['?'], continue: ['more'] },
      keywords: [
        {
          match: 'contains',
          pattern: 'price',
          reply: { type: 'news', articles: [{ title: 'Prices', url: 'https://x.cn' }] },
        },
        { match: 'regex', pattern: '^hi$', reply: { type: 'image', mediaId: 'm1' }, menu: false },
      ],
      texts: { welcome: '你好', llmErrors: { timeout: '慢了' } },
      limits: { maxReplyBytes: 600, userMessagesPerMinute: 0 },
      serve: { port: 8080, host: '127.0.0.1', tunnel: 'none', publicUrl: 'https://bot.example.com' },
    };
    expect(checkSchema(full, schema)).toBeUndefined();
  });

  it('reports the first problem with its path', () => {
    expect(checkSchema({ limits: { maxReplyBytes: 10 } }, schema)).toEqual({
      path: 'limits.maxReplyBytes',
      message: 'must be at least 64 (got 10)',
    });
    expect(checkSchema({ keywords: [{ match: 'exact', pattern: 'a', reply: { type: 'video' } }] }, schema)).toEqual({
      path: 'keywords[0].reply.type',
      message: 'must be one of "text", "news", "image" (got "video")',
    });
    expect(checkSchema({ serve: { port: 3.5 } }, schema)?.message).toBe('must be a whole number (got 3.5)');
    expect(checkSchema([], schema)?.message).toBe('must be an object ({…}) (got a list)');
  });

  it('suggests close names', () => {
    expect(closest('sytemPrompt', ['systemPrompt', 'model'])).toBe('systemPrompt');
    expect(closest('Delivery', ['delivery'])).toBe('delivery');
    expect(closest('zzzzzz', ['delivery'])).toBeUndefined();
  });
});
