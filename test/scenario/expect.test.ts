// Expectations against what the user saw: each unmet one is one failure with what was expected and what came.
import { describe, expect, it } from 'vitest';
import { defaultTexts } from '../../src/config.js';
import { checkExpectations, type Observed, pageMarkerPattern } from '../../src/scenario/expect.js';

const seen = (over: Partial<Observed> = {}): Observed => ({
  userSees: '基础版 99 元/年',
  type: 'text',
  attempt: 1,
  latencyMs: 120,
  pages: 1,
  problems: [],
  ...over,
});

describe('checkExpectations', () => {
  it('passes when everything holds', () => {
    expect(
      checkExpectations(
        {
          equals: '基础版 99 元/年',
          contains: ['基础版', '99'],
          notContains: '该公众号暂时无法提供服务',
          matches: '/\\d+ 元/u',
          type: 'text',
          attempt: 1,
          withinMs: 5000,
          pages: 1,
        },
        seen(),
      ),
    ).toEqual([]);
  });

  it('names each unmet expectation with expected and actual', () => {
    const failures = checkExpectations(
      { equals: '基础版 99 元/年', contains: ['基础版', '年费'], attempt: 1, withinMs: 5000, type: 'news' },
      seen({ userSees: '基础版 129 元/年', attempt: 2, latencyMs: 7010 }),
    );
    expect(failures).toEqual([
      { expectation: 'equals', expected: '基础版 99 元/年', actual: '基础版 129 元/年' },
      { expectation: 'contains', expected: '"年费"', actual: '基础版 129 元/年' },
      { expectation: 'type', expected: 'news', actual: 'text' },
      { expectation: 'attempt', expected: 'answered by attempt 1', actual: 'attempt 2' },
      { expectation: 'withinMs', expected: 'within 5000 ms', actual: '7010 ms' },
    ]);
  });

  it('problems: none by default (the error page fails every step), some and any on request', () => {
    const errorPage = seen({
      type: 'error-page',
      userSees: '该公众号暂时无法提供服务，请稍后再试',
      problems: ['HTTP status 500'],
    });
    expect(checkExpectations({}, errorPage).map((f) => f.expectation)).toEqual(['problems']);
    expect(checkExpectations({ problems: 'any' }, errorPage)).toEqual([]);
    expect(checkExpectations({ type: 'error-page' }, errorPage)).toEqual([]);
    expect(checkExpectations({ problems: 'some' }, seen())).toMatchObject([{ expectation: 'problems' }]);
  });
});

describe('pageMarkerPattern', () => {
  it('reads the page count from the default marker and from a custom one', () => {
    const page = '第一页\n\n（回复「继续」查看剩余 (2/3)）';
    expect(pageMarkerPattern(defaultTexts.morePages).exec(page)?.groups?.pages).toBe('3');
    expect(pageMarkerPattern(' [more: {next} of {pages}]').exec('a [more: 2 of 5]')?.groups?.pages).toBe('5');
    expect(pageMarkerPattern(defaultTexts.morePages).exec('no marker')).toBeNull();
  });
});
