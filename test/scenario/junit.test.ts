// The JUnit report validates against the JUnit shape CI systems read (test/vectors/junit.xsd, checked by libxml2's
// xmllint compiled to WebAssembly), whatever the texts contain: markup, quotes, control characters, many lines.
import { readFileSync } from 'node:fs';
import { XMLParser } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { validateXML } from 'xmllint-wasm';
import { formatJunit } from '../../src/scenario/reporters/junit.js';
import type { RunResult, StepResult } from '../../src/scenario/runner.js';

const XSD = readFileSync(new URL('../vectors/junit.xsd', import.meta.url), 'utf8');

async function validate(xml: string) {
  const result = await validateXML({ xml: [{ fileName: 'report.xml', contents: xml }], schema: [XSD] });
  return result.errors.map((error) => error.rawMessage);
}

const step = (over: Partial<StepResult>): StepResult => ({
  index: 0,
  line: 5,
  kind: 'send',
  label: 'send 你好',
  status: 'passed',
  failures: [],
  durationMs: 12,
  ...over,
});

const tricky = '</failure>]]><xml a="1" b=\'2\'> & \u0001\u0007 多行\n第二行';
const run: RunResult = {
  passed: false,
  durationMs: 1234,
  counts: { scenarios: 2, failedScenarios: 1, steps: 4, failedSteps: 1 },
  scenarios: [
    {
      name: `场景 ${tricky}`,
      file: 'scenarios/a & b.yaml',
      line: 1,
      user: 'oTester0001',
      passed: false,
      durationMs: 900,
      steps: [
        step({}),
        step({ index: 1, kind: 'wait', label: 'wait 100 ms', status: 'waited', durationMs: 100 }),
        step({
          index: 2,
          line: 9,
          label: `send ${tricky}`,
          status: 'failed',
          failures: [{ expectation: 'equals', expected: tricky, actual: '另一个回答' }],
          seen: { userSees: tricky, type: 'text', attempt: 2, latencyMs: 6020, pages: 1, problems: [] },
          attempts: [
            { n: 1, latencyMs: 5000, outcome: 'timeout' },
            { n: 2, latencyMs: 1020, outcome: 'reply', status: 200 },
          ],
        }),
      ],
    },
    { name: 'empty', file: 'b.yaml', line: 1, user: 'oX', passed: true, durationMs: 0, steps: [step({})] },
  ],
};

describe('formatJunit', () => {
  it('validates against the JUnit schema, with markup and control characters in every text', async () => {
    const xml = formatJunit(run);
    expect(await validate(xml)).toEqual([]);
  });

  it('one testcase per step but waits, counts that add up, the failure message and details kept', () => {
    const parsed = new XMLParser({
      ignoreAttributes: false,
      attributeNamePrefix: '',
      isArray: (name) => name === 'testcase' || name === 'testsuite',
    }).parse(formatJunit(run));
    const [first, second] = parsed.testsuites.testsuite;
    expect(parsed.testsuites).toMatchObject({ tests: '3', failures: '1', errors: '0', time: '1.234' });
    expect(first.testcase.map((c: { name: string }) => c.name)).toEqual([
      '1. send 你好',
      `3. send ${tricky.replace('\u0001\u0007', '')}`,
    ]);
    expect(first).toMatchObject({ tests: '2', failures: '1', file: 'scenarios/a & b.yaml' });
    expect(first.testcase[1].failure.message).toContain('equals: expected </failure>]]><xml a="1"');
    expect(first.testcase[1].failure['#text']).toContain('attempts: 1: dropped after 5.00 s, 2: HTTP 200 after 1.02 s');
    expect(first.testcase[1].failure['#text']).toContain('at scenarios/a & b.yaml:9');
    expect(second).toMatchObject({ name: 'empty', tests: '1', failures: '0' });
  });

  it('a broken report is caught by the schema (the check can fail)', async () => {
    const broken = formatJunit(run).replace(/ classname="[^"]*"/, '');
    expect((await validate(broken)).join('\n')).toContain("The attribute 'classname' is required");
  });
});
