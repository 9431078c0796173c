/**
 * The editor's JSON Schema (schema/wechat-gpt.config.schema.json), generated from the zod schema by
 * `npm run build:schema`; a test fails when the shipped file is not what this returns.
 */
import * as z from 'zod';
import { configFileSchema } from './schema.js';

/** Our metadata that editors do not need: the loader and the CLI read it from the zod schema itself. */
const CLI_ONLY_KEYS = ['env', 'flag', 'flagHelp', 'secret', 'example', 'hint'] as const;

export function editorJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(configFileSchema, {
    target: 'draft-7',
    // What people write, before defaults and normalising transforms.
    io: 'input',
    override: ({ jsonSchema }) => {
      const schema = jsonSchema as Record<string, unknown>;
      const { env, secret } = schema;
      for (const key of CLI_ONLY_KEYS) delete schema[key];
      if (typeof env === 'string') {
        const where = secret ? `A secret: prefer ${env} in .env.` : `Env: ${env}.`;
        schema.description = `${jsonSchema.description ?? ''} ${where}`.trim();
      }
      // z.int() bounds itself to safe integers; editors need not show that.
      if (schema.maximum === Number.MAX_SAFE_INTEGER) delete schema.maximum;
      if (schema.minimum === Number.MIN_SAFE_INTEGER) delete schema.minimum;
    },
  }) as Record<string, unknown>;
}

/** The file's text: two-space JSON and a final newline, as Biome formats it. */
export function editorJsonSchemaText(): string {
  return `${JSON.stringify(editorJsonSchema(), null, 2)}\n`;
}
