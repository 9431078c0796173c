/**
 * The menu to push: a JSON file (`{ "button": [...] }`, or a config file with `menu`) or the config's `menu`, checked
 * against WeChat's rules — a ConfigError (exit 2) names every button and the rule it breaks — and the CLICK keys no
 * keyword rule answers, as warnings.
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { compileRules, matchMenuKey } from '../bot/keywords.js';
import type { KeywordRule } from '../config.js';
import { ConfigError } from '../errors.js';
import { checkMenu, clickKeys, type Menu } from './rules.js';

export interface LoadedMenu {
  menu: Menu;
  /** Where it came from, for messages: a file path or "the config's menu". */
  from: string;
}

/** Reads a menu file; either the menu itself or a config file holding one under `menu`. */
export async function readMenuFile(path: string, cwd: string): Promise<LoadedMenu> {
  const full = resolve(cwd, path);
  let json: unknown;
  try {
    json = JSON.parse(await readFile(full, 'utf8'));
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new ConfigError('menu', `Cannot read the menu file ${path}: ${reason}.`, {
      hint: 'Give a JSON file like {"button":[{"type":"click","name":"今日推荐","key":"TODAY"}]}.',
    });
  }
  const menu = (json as { menu?: unknown })?.menu ?? json;
  return { menu: menu as Menu, from: path };
}

/** Throws a ConfigError listing every broken rule, each naming its button; returns the menu when WeChat should take it. */
export function validMenu({ menu, from }: LoadedMenu): Menu {
  const problems = checkMenu(menu);
  if (problems.length === 0) return { button: menu.button };
  const lines = problems.map((p) => `  - ${p.button} (${p.path}) breaks the ${p.rule} rule: ${p.message}.`);
  const count = problems.length === 1 ? "one of WeChat's menu rules" : `${problems.length} of WeChat's menu rules`;
  throw new ConfigError(`menu.${problems[0]?.path}`, `The menu in ${from} breaks ${count}:\n${lines.join('\n')}`, {
    source: from,
    problems: problems.map((p) => ({ setting: `menu.${p.path}`, source: from, message: `${p.button}: ${p.message}` })),
    hint: 'Fix each button, then check again with `npx wechat-gpt menu push --dry-run` (nothing is sent).',
  });
}

/** CLICK keys of the menu that no keyword rule answers: pressing them would get no reply. */
export function unansweredClicks(menu: Menu, keywords: KeywordRule[]): { key: string; button: string }[] {
  const rules = compileRules(keywords);
  return clickKeys(menu).filter(({ key }) => !matchMenuKey(rules, key));
}
