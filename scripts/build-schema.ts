/** Writes schema/wechat-gpt.config.schema.json from the zod schema (npm run build:schema; part of npm run build). */
import { writeFileSync } from 'node:fs';
import { editorJsonSchemaText } from '../src/config/json-schema.js';

const target = new URL('../schema/wechat-gpt.config.schema.json', import.meta.url);
writeFileSync(target, editorJsonSchemaText());
console.log(`wrote ${target.pathname}`);
