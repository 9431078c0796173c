/** Which scenario files to run: the files and folders given (folders searched for *.yaml / *.yml), sorted. */
import { readdir, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';

export const DEFAULT_SCENARIO_DIR = 'scenarios';

export type FoundFiles = { ok: true; files: string[] } | { ok: false; missing: string[] };

const isScenarioFile = (name: string) => /\.ya?ml$/i.test(name);

export async function findScenarioFiles(cwd: string, paths: string[]): Promise<FoundFiles> {
  const wanted = paths.length > 0 ? paths : [DEFAULT_SCENARIO_DIR];
  const files = new Set<string>();
  const missing: string[] = [];
  for (const path of wanted) {
    const absolute = resolve(cwd, path);
    const info = await stat(absolute).catch(() => undefined);
    if (!info) {
      missing.push(path);
    } else if (info.isDirectory()) {
      const entries = await readdir(absolute, { recursive: true, withFileTypes: true });
      for (const entry of entries) {
        if (entry.isFile() && isScenarioFile(entry.name)) files.add(join(entry.parentPath, entry.name));
      }
    } else {
      files.add(absolute);
    }
  }
  if (missing.length > 0) return { ok: false, missing };
  return { ok: true, files: [...files].sort() };
}
