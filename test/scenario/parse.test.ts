// Scenario files: valid ones load with their lines; every mistake is reported with file, line and what is wrong.
import { describe, expect, it } from 'vitest';
import { EXAMPLE_SCENARIO } from '../../src/scenario/example.js';
import { parseScenarios } from '../../src/scenario/parse.js';

const ISSUE_EXAMPLE = `# scenarios/basics.yaml
name: 关注、关键词与慢回答
user: oTester0001                 # optional; default: a fresh openid per scenario
steps:
  - event: subscribe
    expect: { contains: 欢迎 }
  - send: 价格
    expect: { equals: "基础版 99 元/年" }
  - send: 讲个笑话
    expect: { notContains: 该公众号暂时无法提供服务, withinMs: 5000 }
  - send: 慢一点的问题
    model: { say: "慢答案", delayMs: 7000 }   # the built-in scripted model answers this step
    expect: { equals: 慢答案, attempt: 2 }
`;

function problems(source: string) {
  const result = parseScenarios(source, 'scenarios/x.yaml');
  if (result.ok) throw new Error('expected problems');
  return result.problems;
}

describe('parseScenarios', () => {
  it('loads the example of the issue, with the line of each step', () => {
    const result = parseScenarios(ISSUE_EXAMPLE, 'scenarios/basics.yaml');
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    const [loaded] = result.scenarios;
    expect(loaded?.scenario).toMatchObject({ name: '关注、关键词与慢回答', user: 'oTester0001' });
    expect(loaded?.stepLines).toEqual([5, 7, 9, 11]);
    expect(loaded?.scenario.steps[3]).toEqual({
      send: '慢一点的问题',
      model: { say: '慢答案', delayMs: 7000 },
      expect: { equals: '慢答案', attempt: 2 },
    });
  });

  it('loads every kind of step, and several scenarios separated by ---', () => {
    const result = parseScenarios(
      `name: one
steps:
  - event: CLICK
    key: MENU_HELP
  - image: https://example.com/cat.jpg
  - voice: 今天天气怎么样
  - voice: { recognition: 你好 }
  - location: 上海
  - location: { latitude: 31.2, longitude: 121.4, label: 外滩 }
  - link: https://example.com/a
  - wait: 100
---
name: two
steps: [{ send: 继续, expect: { pages: 2, type: text, matches: "/第.页/u", problems: any } }]
`,
      'multi.yaml',
    );
    expect(result.ok, JSON.stringify(result)).toBe(true);
    if (!result.ok) return;
    expect(result.scenarios.map((s) => [s.scenario.name, s.line, s.scenario.steps.length])).toEqual([
      ['one', 1, 8],
      ['two', 13, 1],
    ]);
  });

  it('the example init writes is valid', () => {
    expect(parseScenarios(EXAMPLE_SCENARIO, 'scenarios/example.yaml').ok).toBe(true);
  });

  it('a typo in an expectation key: its line, and the keys that exist', () => {
    const [problem, ...rest] = problems(ISSUE_EXAMPLE.replace('{ equals: "基础版', '{ equls: "基础版'));
    expect(rest).toEqual([]);
    expect(problem).toMatchObject({ file: 'scenarios/x.yaml', line: 8 });
    expect(problem?.message).toContain('steps[1].expect.equls: unknown key "equls" in expect (known: equals, contains');
  });

  it('wrong types, a missing name, a step of no kind, a bad regex, an unknown city: each on its line', () => {
    const found = problems(`steps:
  - send: 你好
    expect: { withinMs: "5000", attempt: 4 }
  - sned: 你好
  - send: a
    expect: { matches: "([" }
  - location: 火星基地
  - send: b
    model: { delayMs: 100 }
`);
    const byLine = found.map((p) => `${p.line}: ${p.message}`);
    expect(byLine).toEqual([
      '1: name: missing (a string is required)',
      expect.stringMatching(/^3: steps\[0\]\.expect\.attempt: .*3/),
      '3: steps[0].expect.withinMs: expected a number, got a string',
      '4: steps[1]: a step needs one of send, event, image, voice, location, link, wait',
      '6: steps[2].expect.matches: not a valid regular expression',
      expect.stringMatching(/^9: steps\[4\]\.model: a model script needs `say`/),
    ]);
  });

  it('an unknown city is found before anything is sent', () => {
    const [problem] = problems('name: x\nsteps:\n  - send: a\n  - location: 火星基地\n');
    expect(problem).toMatchObject({ line: 4 });
    expect(problem?.message).toMatch(/unknown place "火星基地".*上海/);
  });

  it('broken YAML: the line of the syntax error', () => {
    const [problem] = problems('name: x\nsteps:\n  - send: "unclosed\n  - send: b\n');
    expect(problem?.message).toMatch(/^not valid YAML/);
    expect(problem?.line).toBeGreaterThanOrEqual(3);
  });
});
