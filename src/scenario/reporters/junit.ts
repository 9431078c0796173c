/**
 * The JUnit XML report for CI systems (GitHub Actions, GitLab, Jenkins): one testsuite per scenario, one testcase per
 * step (waits are not tests), a failure element per failed step with its expectations as the message.
 */
import { XMLBuilder } from 'fast-xml-parser';
import { formatSeconds } from '../../cli/latency.js';
import type { RunResult, StepResult } from '../runner.js';

/** Characters XML 1.0 cannot carry at all (they would make the file unreadable). */
// biome-ignore lint/suspicious/noControlCharactersInRegex: removing control characters is the point.
const ILLEGAL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g;
const clean = (text: string) => text.replace(ILLEGAL, '');
const seconds = (ms: number) => (ms / 1000).toFixed(3);

function failureMessage(step: StepResult): string {
  return step.failures.map((f) => `${f.expectation}: expected ${f.expected}, got ${oneLine(f.actual)}`).join('; ');
}

function oneLine(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim() || '(nothing)';
  return flat.length > 200 ? `${flat.slice(0, 200)}…` : flat;
}

function failureDetails(step: StepResult, file: string): string {
  const lines = step.failures.map((f) => `${f.expectation}\n  expected: ${f.expected}\n  actual:   ${f.actual}`);
  if (step.seen) lines.push(`user saw: ${step.seen.userSees || '(nothing)'}`);
  const attempts = (step.attempts ?? []).map(
    (a) =>
      `${a.n}: ${a.outcome === 'timeout' ? 'dropped' : a.outcome === 'error' ? `error ${a.error}` : `HTTP ${a.status}`} after ${formatSeconds(a.latencyMs)}`,
  );
  lines.push(`attempts: ${attempts.join(', ')}`, `at ${file}:${step.line}`);
  return lines.join('\n');
}

export function formatJunit(run: RunResult): string {
  const builder = new XMLBuilder({
    ignoreAttributes: false,
    attributeNamePrefix: '@',
    format: true,
    textNodeName: '#text',
  });
  const suites = run.scenarios.map((scenario) => {
    const cases = scenario.steps.filter((step) => step.kind !== 'wait');
    return {
      '@name': clean(scenario.name),
      '@tests': cases.length,
      '@failures': cases.filter((step) => step.status === 'failed').length,
      '@errors': 0,
      '@skipped': 0,
      '@time': seconds(scenario.durationMs),
      '@file': scenario.file,
      testcase: cases.map((step) => ({
        '@name': clean(`${step.index + 1}. ${step.label}`),
        '@classname': clean(scenario.name),
        '@file': scenario.file,
        '@line': step.line,
        '@time': seconds(step.durationMs),
        ...(step.status === 'failed'
          ? {
              failure: {
                '@message': clean(failureMessage(step)),
                '@type': step.failures.map((f) => f.expectation).join(','),
                '#text': clean(failureDetails(step, scenario.file)),
              },
            }
          : {}),
      })),
    };
  });
  const xml = builder.build({
    testsuites: {
      '@name': 'wechat-gpt test',
      '@tests': run.counts.steps - run.scenarios.flatMap((s) => s.steps).filter((step) => step.kind === 'wait').length,
      '@failures': run.counts.failedSteps,
      '@errors': 0,
      '@time': seconds(run.durationMs),
      testsuite: suites,
    },
  }) as string;
  return `<?xml version="1.0" encoding="UTF-8"?>\n${xml}`;
}
