// One schema: the editor's JSON Schema is generated from it, and the editor, `config` and the library refuse alike.
import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { SECRET_KEYS, SETTINGS } from '../../src/cli/settings.js';
import { secretKeysFromSchema, settingsFromSchema } from '../../src/cli/settings-from-schema.js';
import { starterConfig } from '../../src/cli/templates.js';
import { editorJsonSchema, editorJsonSchemaText } from '../../src/config/json-schema.js';
import { checkConfig } from '../../src/config/problems.js';
import { configFileSchema } from '../../src/config/schema.js';
import { resolveConfig } from '../../src/config.js';
import { ConfigError } from '../../src/errors.js';

const SHIPPED = new URL('../../schema/wechat-gpt.config.schema.json', import.meta.url);
const editor = new Ajv({ allErrors: true, strict: false, validateFormats: false }).compile(editorJsonSchema());

const full = {
  $schema: './node_modules/wechat-gpt/schema/wechat-gpt.config.schema.json',
  wechat: { appId: 'wx1234567890abcdef', apiBase: 'http://127.0.0.1:9000/' },
  path: '/wx',
  llm: { model: 'deepseek-chat', temperature: 0.7, maxTokens: 800, stream: false, timeoutMs: 30000 },
  session: { maxTurns: 5, maxTokens: 2000, idleMs: 60000 },
  timing: { wechatTimeoutMs: 500, replyBudgetMs: 450, attempts: 3, replayWindowSec: 0, jobTtlMs: 1, outboxTtlMs: 1 },
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

describe('the editor JSON Schema', () => {
  it('is the one generated from the zod schema (run `npm run build:schema` after changing src/config/schema.ts)', () => {
    expect(readFileSync(SHIPPED, 'utf8')).toBe(editorJsonSchemaText());
    // The CLI's settings table too (read by --help without loading zod).
    expect(SETTINGS).toEqual(settingsFromSchema());
    expect([...SECRET_KEYS]).toEqual(secretKeysFromSchema());
  });

  it('accepts the starter file and a file using every section, as the loader does', () => {
    for (const file of [starterConfig('./schema.json'), full]) {
      expect(editor(file), JSON.stringify(editor.errors)).toBe(true);
      expect(checkConfig(configFileSchema, file).ok).toBe(true);
    }
  });

  it('refuses limits.maxReplyBytes: 100 like `config` and the library do', () => {
    const file = { limits: { maxReplyBytes: 100 } };
    expect(editor(file)).toBe(false);
    expect(editor.errors?.[0]).toMatchObject({ instancePath: '/limits/maxReplyBytes', params: { limit: 256 } });
    expect(checkConfig(configFileSchema, file)).toEqual({
      ok: false,
      problems: [
        {
          setting: 'limits.maxReplyBytes',
          problem: 'must be at least 256 (got 100)',
          hint: expect.stringContaining('2048 bytes'),
        },
      ],
    });
    expect(() => resolveConfig({ wechat: { token: 'abc' }, ...file })).toThrow(
      'limits.maxReplyBytes must be at least 256 (got 100).',
    );
  });
});

describe('problems', () => {
  it('lists every problem at once, each with its setting, what is wrong and a fix', () => {
    const result = checkConfig(configFileSchema, {
      sytemPrompt: 'x',
      llm: { sytemPrompt: 'x', temperature: 3 },
      serve: { port: 3.5 },
      keywords: [
        { match: 'exact', pattern: 'a', reply: { type: 'video' } },
        { match: 'regex', pattern: '(', reply: { type: 'text', content: 'x' } },
      ],
    });
    expect(result.ok).toBe(false);
    const problems = result.ok ? [] : result.problems;
    expect(problems).toHaveLength(6);
    expect(problems.map((p) => `${p.setting} ${p.problem}`)).toEqual(
      expect.arrayContaining([
        'llm.sytemPrompt is not a setting; did you mean llm.systemPrompt?',
        'llm.temperature must be at most 2 (got 3)',
        'keywords[0].reply.type must be "text", "news", "image" (got "video")',
        expect.stringMatching(/^keywords\[1\]\.pattern is not a valid regular expression: .*\(got "\("\)$/),
        'serve.port must be a port number 0–65535 (got 3.5)',
        'sytemPrompt is not a setting',
      ]),
    );
    // Fixes of their own where the schema knows one; the loader adds a general one (where to fix it) to the rest.
    expect(problems.find((p) => p.setting === 'keywords[1].pattern')?.hint).toContain('"match": "contains"');
    expect(problems.find((p) => p.setting === 'serve.port')?.hint).toBe('Use a free port such as 3000.');
  });

  it('never shows a secret value in a problem', () => {
    const result = checkConfig(configFileSchema, { wechat: { token: 'bad token!', appSecret: '  ' } });
    const text = JSON.stringify(result);
    expect(text).not.toContain('bad token!');
    expect(text).not.toContain('"  "');
    expect(text).toContain('Token may only contain letters and digits');
  });
});

describe('resolveConfig', () => {
  it('fills every default from the schema', () => {
    const config = resolveConfig({ wechat: { token: 'abc', appId: '', apiBase: 'http://127.0.0.1:1/' } });
    expect(config).toMatchObject({
      wechat: { token: 'abc', apiBase: 'http://127.0.0.1:1' },
      path: '/wechat',
      llm: { model: 'gpt-4o-mini', visionModel: 'gpt-4o-mini', stream: true, timeoutMs: 60_000, maxRetries: 1 },
      timing: { wechatTimeoutMs: 5000, replyBudgetMs: 4500, attempts: 3, outboxTtlMs: 48 * 3600_000 },
      delivery: 'auto',
      commands: { continue: ['继续', 'more', '/more'] },
      limits: { maxReplyBytes: 2048, maxBodyBytes: 65536 },
      keywords: [],
    });
    expect(config.wechat.appId).toBeUndefined();
    expect(config.texts.llmErrors.timeout).toContain('超时');
  });

  it('throws one ConfigError listing every problem (the Token, and an AES key without its AppID)', () => {
    let error: unknown;
    try {
      resolveConfig({ wechat: { token: 'x', encodingAesKey: 'a'.repeat(43) }, llm: { maxTokens: 0 } });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems.map((p) => p.setting)).toEqual([
      'wechat.token',
      'llm.maxTokens',
      'wechat.appId',
    ]);
    expect((error as ConfigError).message).toMatch(/^3 settings are invalid:/);
  });
});
