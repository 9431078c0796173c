/** doctor's first check: the configuration loads and passes the schema (the same loader and messages as `config`). */
import type { LoadedConfig } from '../cli/load-config.js';
import { ConfigError } from '../errors.js';
import { type Check, fail, ok } from './types.js';

/** The loader's outcome, which the command gets once and every check shares. */
export type ConfigLoad = { ok: true; loaded: LoadedConfig } | { ok: false; error: unknown };

export function configCheck(load: ConfigLoad): Check {
  return {
    id: 'config',
    async run() {
      if (!load.ok) {
        const { error } = load;
        if (!(error instanceof ConfigError)) throw error;
        const { problems } = error;
        const summary = problems.length === 1 ? error.message : `${problems.length} settings are invalid`;
        const hint =
          problems.length === 1
            ? error.hint
            : problems.map((p) => `${p.message}${p.hint ? ` ${p.hint}` : ''}`).join('\n');
        return fail(summary, hint);
      }
      const { files, warnings } = load.loaded;
      const read = [files.dotenv && '.env', files.config && fileName(files.config)].filter(Boolean);
      const summary = read.length
        ? `valid (read ${read.join(', ')})`
        : 'valid (defaults only: no .env, no config file)';
      return ok(summary, warnings.length ? { hint: warnings.join('\n') } : {});
    },
  };
}

function fileName(path: string): string {
  return path.split(/[\\/]/).at(-1) ?? path;
}
