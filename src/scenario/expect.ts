/** Checks one step's expectations against what the simulator saw; each unmet one becomes a failure saying why. */
import type { DeliverResult } from '../simulator/deliver.js';
import { type Expectation, type SeenType, toRegExp } from './schema.js';

export interface Failure {
  /** The expectation's key: equals, contains, attempt, problems… */
  expectation: keyof Expectation;
  expected: string;
  actual: string;
}

/** What a step's reply came to, as expectations read it. */
export interface Observed {
  userSees: string;
  type: SeenType;
  /** The attempt that answered (the last one made). */
  attempt: number;
  latencyMs: number;
  /** Pages of the answer, from the page marker of the reply (1 without one). */
  pages: number;
  problems: string[];
}

export function observe(result: DeliverResult, pageMarker: RegExp): Observed {
  const type: SeenType = !result.ok ? 'error-page' : result.reply ? result.reply.type : 'success';
  const marker = pageMarker.exec(result.userSees);
  return {
    userSees: result.userSees,
    type,
    attempt: result.attempts.length,
    latencyMs: result.latencyMs,
    pages: marker?.groups?.pages ? Number(marker.groups.pages) : 1,
    problems: result.problems,
  };
}

/** The page marker of texts.morePages (`（回复「继续」查看剩余 ({next}/{pages})）`) as a pattern. */
export function pageMarkerPattern(morePages: string): RegExp {
  const escaped = morePages.trim().replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(escaped.replace('\\{next\\}', '(?<next>\\d+)').replace('\\{pages\\}', '(?<pages>\\d+)'));
}

const list = (value: string | string[]) => (Array.isArray(value) ? value : [value]);
const quote = (text: string) => JSON.stringify(text);

export function checkExpectations(expect: Expectation, seen: Observed): Failure[] {
  const failures: Failure[] = [];
  const fail = (expectation: keyof Expectation, expected: string, actual: string) =>
    failures.push({ expectation, expected, actual });
  const problems = expect.problems ?? (expect.type === 'error-page' ? 'any' : 'none');

  if (problems === 'none' && seen.problems.length > 0) {
    fail('problems', 'none (WeChat accepts the reply)', seen.problems.join(' '));
  }
  if (problems === 'some' && seen.problems.length === 0) fail('problems', 'some (WeChat rejects the reply)', 'none');
  if (expect.equals !== undefined && seen.userSees !== expect.equals) fail('equals', expect.equals, seen.userSees);
  if (expect.contains !== undefined) {
    const missing = list(expect.contains).filter((part) => !seen.userSees.includes(part));
    if (missing.length > 0) fail('contains', missing.map(quote).join(', '), seen.userSees);
  }
  if (expect.notContains !== undefined) {
    const present = list(expect.notContains).filter((part) => seen.userSees.includes(part));
    if (present.length > 0) fail('notContains', `no ${present.map(quote).join(', ')}`, seen.userSees);
  }
  if (expect.matches !== undefined && !toRegExp(expect.matches)?.test(seen.userSees)) {
    fail('matches', expect.matches, seen.userSees);
  }
  if (expect.type !== undefined && seen.type !== expect.type) fail('type', expect.type, seen.type);
  if (expect.attempt !== undefined && (seen.type === 'error-page' || seen.attempt > expect.attempt)) {
    fail(
      'attempt',
      `answered by attempt ${expect.attempt}`,
      seen.type === 'error-page' ? 'no answer' : `attempt ${seen.attempt}`,
    );
  }
  if (expect.withinMs !== undefined && seen.latencyMs > expect.withinMs) {
    fail('withinMs', `within ${expect.withinMs} ms`, `${seen.latencyMs} ms`);
  }
  if (expect.pages !== undefined && seen.pages !== expect.pages) {
    fail(
      'pages',
      `${expect.pages} page${expect.pages === 1 ? '' : 's'}`,
      `${seen.pages} page${seen.pages === 1 ? '' : 's'}`,
    );
  }
  return failures;
}
