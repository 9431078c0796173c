/** Keyword rules from the config: exact / contains / regex on the user's text, and menu CLICK EventKeys. */

import type { KeywordRule, RuleReply } from '../config.js';
import { ConfigError } from '../errors.js';

export interface CompiledRule {
  rule: KeywordRule;
  test(text: string): boolean;
}

export function compileRules(rules: KeywordRule[]): CompiledRule[] {
  return rules.map((rule, index) => {
    const wanted = rule.pattern.trim().toLowerCase();
    switch (rule.match) {
      case 'exact':
        return { rule, test: (text) => text.trim().toLowerCase() === wanted };
      case 'contains':
        return { rule, test: (text) => wanted.length > 0 && text.toLowerCase().includes(wanted) };
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
        return { rule, test: (text) => pattern.test(text) };
      }
      default:
        throw new ConfigError(`keywords[${index}].match`, `Unknown match kind: ${String(rule.match)}`, {
          hint: 'Use "exact", "contains" or "regex".',
        });
    }
  });
}

export function matchText(rules: CompiledRule[], text: string): RuleReply | undefined {
  return rules.find((r) => r.test(text))?.rule.reply;
}

/** A menu CLICK's EventKey matches a rule unless the rule opted out with `menu: false`. */
export function matchMenuKey(rules: CompiledRule[], key: string): RuleReply | undefined {
  return rules.find((r) => r.rule.menu !== false && r.test(key))?.rule.reply;
}
