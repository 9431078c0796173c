/** Keyword rules from the config: exact / contains / regex on the user's text, and menu CLICK EventKeys. */

import type { KeywordRule, RuleReply } from '../config.js';
import { ConfigError } from '../errors.js';
import { Said } from './said.js';

export interface CompiledRule {
  rule: KeywordRule;
  test(said: Said): boolean;
}

export function compileRules(rules: KeywordRule[]): CompiledRule[] {
  return rules.map((rule, index) => {
    const wanted = rule.pattern.trim().toLowerCase();
    switch (rule.match) {
      case 'exact':
        return { rule, test: (said) => said.lower === wanted };
      case 'contains':
        // The pattern is trimmed, so a match never needs the text's surrounding whitespace.
        return { rule, test: (said) => wanted.length > 0 && said.lower.includes(wanted) };
      case 'regex': {
        let pattern: RegExp;
        try {
          pattern = new RegExp(rule.pattern, 'iu');
        } catch (error) {
          throw new ConfigError(`keywords[${index}].pattern`, `Invalid regular expression: ${rule.pattern}`, {
            hint: 'Fix the pattern in wechat-gpt.config.json (JavaScript RegExp syntax).',
            cause: error,
          });
        }
        return { rule, test: (said) => pattern.test(said.text) };
      }
      default:
        throw new ConfigError(`keywords[${index}].match`, `Unknown match kind: ${String(rule.match)}`, {
          hint: 'Use "exact", "contains" or "regex".',
        });
    }
  });
}

export function matchText(rules: CompiledRule[], said: Said): RuleReply | undefined {
  return rules.find((r) => r.test(said))?.rule.reply;
}

/** A menu CLICK's EventKey matches a rule unless the rule opted out with `menu: false`. */
export function matchMenuKey(rules: CompiledRule[], key: string): RuleReply | undefined {
  const said = new Said(key);
  return rules.find((r) => r.rule.menu !== false && r.test(said))?.rule.reply;
}
