// What is made from the schema and the settings table stays made from them: the README tables and init's .env.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { README, withTables } from '../../scripts/settings-tables.js';
import { collectConfig } from '../../src/cli/commands/config.js';
import { loadConfig } from '../../src/cli/load-config.js';
import { SETTINGS } from '../../src/cli/settings.js';
import { DOTENV_ENTRIES, dotenvEntry } from '../../src/cli/templates.js';

describe('generated from the schema', () => {
  it('the README configuration tables are current (run `npm run docs:settings` after changing the schema)', () => {
    const readme = readFileSync(README, 'utf8');
    expect(withTables(readme)).toBe(readme);
  });

  it("init's .env has one entry per environment variable of the settings table, described from the schema", () => {
    const envs = SETTINGS.flatMap((s) => (s.env ? [s] : []));
    expect(DOTENV_ENTRIES.map((e) => e.env)).toEqual(envs.map((s) => s.env));
    for (const setting of envs) {
      const [comment, line] = dotenvEntry(setting.env as string);
      expect(comment).toBe(`# ${setting.description}`);
      expect(line).toBe(`# ${setting.env}=${setting.example ?? ''}`);
    }
  });

  it('`config` lists every setting of the table first, with its environment variable, and every other setting after', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'wechat-gpt-docs-'));
    try {
      const report = collectConfig(await loadConfig({ cwd, env: {} }), { showSecrets: false });
      const keys = Object.keys(report.settings);
      expect(keys.slice(0, SETTINGS.length)).toEqual(SETTINGS.map((s) => s.key));
      for (const setting of SETTINGS) {
        expect(report.settings[setting.key]).toMatchObject({
          secret: setting.secret,
          ...(setting.env ? { env: setting.env } : {}),
        });
      }
      expect(keys).toEqual(expect.arrayContaining(['timing.outboxTtlMs', 'serve.tunnel', 'texts.welcome']));
    } finally {
      rmSync(cwd, { recursive: true, force: true });
    }
  });
});
