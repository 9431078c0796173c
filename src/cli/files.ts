/** Where the CLI's files live: the names in the working folder, and the schema shipped in the package. */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const CONFIG_FILE_NAME = 'wechat-gpt.config.json';
export const DOTENV_FILE_NAME = '.env';
export const STATE_DIR_NAME = '.wechat-gpt';
export const STATE_FILE_NAME = 'state.json';

/** Two levels up from src/cli/ and from dist/cli/ alike: the package root. */
const PACKAGE_ROOT = new URL('../../', import.meta.url);

export const SCHEMA_PATH = fileURLToPath(new URL('schema/wechat-gpt.config.schema.json', PACKAGE_ROOT));

export function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('package.json', PACKAGE_ROOT), 'utf8')) as { version?: string };
  return pkg.version ?? '0.0.0';
}

export function isMissingFile(error: unknown): boolean {
  return (error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT';
}
