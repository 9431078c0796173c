// What is made from the schema and the settings table stays made from them: the README tables and init's .env.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { README, withTables } from '../../scripts/settings-tables.js';
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
});
