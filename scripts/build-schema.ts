/**
 * Writes what is generated from the zod schema (npm run build:schema; part of npm run build): the editor's
 * schema/wechat-gpt.config.schema.json and the CLI's settings table, src/cli/settings.generated.ts.
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { settingsModuleText } from '../src/cli/settings-from-schema.js';
import { editorJsonSchemaText } from '../src/config/json-schema.js';

const schemaFile = new URL('../schema/wechat-gpt.config.schema.json', import.meta.url);
writeFileSync(schemaFile, editorJsonSchemaText());
console.log(`wrote ${schemaFile.pathname}`);

const settingsFile = fileURLToPath(new URL('../src/cli/settings.generated.ts', import.meta.url));
writeFileSync(settingsFile, settingsModuleText());
// Formatted as the rest of the sources, so lint passes on it.
execFileSync(
  process.execPath,
  [fileURLToPath(import.meta.resolve('@biomejs/biome/bin/biome')), 'format', '--write', settingsFile],
  {
    stdio: 'ignore',
  },
);
console.log(`wrote ${settingsFile}`);
