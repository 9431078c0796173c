/**
 * The README's configuration tables, made from the schema and the settings table: `npm run docs:settings` writes
 * them between the `<!-- settings:… -->` markers, and test/config/docs.test.ts fails when the README differs.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { SETTINGS } from '../src/cli/settings.js';
import { configFileSchema } from '../src/config/schema.js';
import { defaultOf, leaves } from '../src/config/walk.js';

export const README = fileURLToPath(new URL('../README.md', import.meta.url));

const code = (text: string) => `\`${text}\``;
const cell = (text: string) => text.replaceAll('|', '\\|').replaceAll('\n', ' ');

/** Rows that are not settings of the schema: how the CLI itself is steered. */
const CLI_ONLY_ROWS = [
  [
    '—',
    '`--tunnel auto\\|ngrok\\|none`, `--no-tunnel`',
    '`serve.tunnel`',
    'auto (the default): ngrok when `NGROK_AUTHTOKEN` is set and no `--public-url` is given, else none.',
  ],
  ['`LOG_LEVEL`', '`--verbose`', '—', '`debug`, `info`, `warn`, `error` or `silent`.'],
  ['`NO_COLOR` / `FORCE_COLOR`', '`--no-color`', '—', 'Colours off / on.'],
];

function sourcesTable(): string {
  const rows = SETTINGS.map((s) => [
    s.env ? code(s.env) : '—',
    s.flag ? code(s.flag.replace(/ <[^>]+>$/, '')) : '—',
    code(s.key),
    cell(s.description),
  ]);
  return table(['Environment', 'Flag', 'Setting (config file)', 'What'], [...rows, ...CLI_ONLY_ROWS]);
}

function showDefault(key: string, value: unknown): string {
  if (value === undefined) return '—';
  if (typeof value === 'number' && key.endsWith('Ms') && value >= 60_000) {
    const [size, unit] = value % 3_600_000 === 0 ? [3_600_000, 'h'] : [60_000, 'min'];
    return `${code(String(value))} (${value / size} ${unit})`;
  }
  const json = JSON.stringify(value);
  return json.length <= 40 ? code(json) : 'built in (`wechat-gpt config` shows it)';
}

function settingsTable(): string {
  const all = leaves(configFileSchema).filter(({ key }) => key !== '$schema');
  const texts = all.filter(({ key }) => key.startsWith('texts.'));
  const rows = all
    .filter(({ key }) => !key.startsWith('texts.'))
    .map(({ key, schema, meta }) => [code(key), showDefault(key, defaultOf(schema)), cell(meta.description ?? '')]);
  rows.push([
    '`texts.*`',
    'Chinese',
    cell(`Every text users see: ${texts.map(({ key }) => code(key.slice('texts.'.length))).join(', ')}.`),
  ]);
  return table(['Setting', 'Default', 'What'], rows);
}

function table(head: string[], rows: string[][]): string {
  return [
    `| ${head.join(' | ')} |`,
    `|${head.map(() => '---').join('|')}|`,
    ...rows.map((r) => `| ${r.join(' | ')} |`),
  ].join('\n');
}

export const TABLES = { sources: sourcesTable, settings: settingsTable } as const;

/** The README with each `<!-- settings:NAME -->…<!-- /settings:NAME -->` block made anew. */
export function withTables(readme: string): string {
  let out = readme;
  for (const [name, make] of Object.entries(TABLES)) {
    const pattern = new RegExp(`(<!-- settings:${name} -->)[\\s\\S]*?(<!-- /settings:${name} -->)`);
    if (!pattern.test(out)) throw new Error(`README.md has no <!-- settings:${name} --> block`);
    out = out.replace(pattern, (_, start: string, end: string) => `${start}\n${make()}\n${end}`);
  }
  return out;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  writeFileSync(README, withTables(readFileSync(README, 'utf8')));
  console.log('wrote the configuration tables of README.md');
}
