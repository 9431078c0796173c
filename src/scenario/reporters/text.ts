/**
 * The readable report: scenario → steps with ✔/✖; for a failed step, each unmet expectation with what the user saw,
 * the attempts and their timings, and where the step is written (file:line).
 */
import { formatSeconds } from '../../cli/latency.js';
import { shortOpenid } from '../../cli/serve/message-line.js';
import type { Theme } from '../../cli/theme.js';
import type { Failure } from '../expect.js';
import type { RunResult, ScenarioResult, StepResult } from '../runner.js';

const INDENT = '       ';

export function formatScenarioHeader(result: Pick<ScenarioResult, 'name' | 'file' | 'user'>, theme: Theme): string {
  return `${theme.heading(result.name)}  ${theme.dim(`${result.file} · user ${shortOpenid(result.user)}`)}`;
}

export function formatAttempts(step: StepResult, theme: Theme): string {
  const parts = (step.attempts ?? []).map((attempt) => {
    const took = formatSeconds(attempt.latencyMs);
    switch (attempt.outcome) {
      case 'timeout':
        return `${attempt.n}: dropped at ${took}`;
      case 'error':
        return `${attempt.n}: ${theme.error(`could not connect (${attempt.error ?? 'error'})`)}`;
      case 'empty':
        return `${attempt.n}: "success" in ${took}`;
      default:
        return `${attempt.n}: HTTP ${attempt.status} in ${took}`;
    }
  });
  return `attempts ${parts.join(' · ')}${step.seen ? ` (${formatSeconds(step.seen.latencyMs)} in all)` : ''}`;
}

/** `✔ 2. send 价格   0.01 s` and, for a failure, the details under it. */
export function formatStep(step: StepResult, theme: Theme): string {
  const mark =
    step.status === 'failed' ? theme.error('✖') : step.status === 'waited' ? theme.dim('…') : theme.success('✔');
  const facts: string[] = [];
  if (step.seen) {
    facts.push(formatSeconds(step.seen.latencyMs));
    if (step.seen.attempt > 1 && step.seen.type !== 'error-page') facts.push(`attempt ${step.seen.attempt}`);
  }
  if (step.model) facts.push(`scripted model${step.model.delayMs ? ` ${formatSeconds(step.model.delayMs)}` : ''}`);
  const head = `  ${mark} ${step.index + 1}. ${step.label}${facts.length ? `  ${theme.dim(facts.join(', '))}` : ''}`;
  if (step.status !== 'failed') return head;
  const lines = [head, ...step.failures.flatMap((failure) => formatFailure(failure, theme))];
  const shown = step.failures.some((f) => ['equals', 'contains', 'notContains', 'matches'].includes(f.expectation));
  if (!shown && step.seen) lines.push(...block('user saw', step.seen.userSees || '(nothing)', (line) => line));
  lines.push(`${INDENT}${theme.dim(formatAttempts(step, theme))}`);
  return lines.join('\n');
}

function formatFailure(failure: Failure, theme: Theme): string[] {
  return [
    `${INDENT}${theme.error(failure.expectation)}`,
    ...block('expected', failure.expected, theme.success),
    ...block('actual', failure.actual === '' ? '(nothing)' : failure.actual, theme.error),
  ];
}

/** A labelled value; multi-line values keep their lines, indented under the first. */
function block(label: string, value: string, paint: (text: string) => string): string[] {
  const [first = '', ...rest] = value.split('\n');
  const head = `${label}:`.padEnd(10);
  const pad = `${INDENT}  ${' '.repeat(head.length)}`;
  return [`${INDENT}  ${head}${paint(first)}`, ...rest.map((line) => `${pad}${paint(line)}`)];
}

export function formatScenario(result: ScenarioResult, theme: Theme): string {
  return [formatScenarioHeader(result, theme), ...result.steps.map((step) => formatStep(step, theme))].join('\n');
}

/** The closing lines: counts, time, and where each failed step is written. */
export function formatSummary(run: RunResult, theme: Theme): string {
  const { scenarios, failedScenarios, steps, failedSteps } = run.counts;
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  const took = theme.dim(`(${formatSeconds(run.durationMs)})`);
  if (run.passed) {
    return `${theme.success('✔')} ${plural(scenarios, 'scenario')}, ${plural(steps, 'step')}: all passed ${took}`;
  }
  const where = run.scenarios.flatMap((scenario) =>
    scenario.steps
      .filter((step) => step.status === 'failed')
      .map(
        (step) =>
          `  ${theme.error('✖')} ${scenario.file}:${step.line}  ${scenario.name} › ${step.index + 1}. ${step.label}`,
      ),
  );
  return [
    `${theme.error('✖')} ${plural(failedSteps, 'step')} failed in ${failedScenarios} of ${plural(scenarios, 'scenario')} (${plural(steps, 'step')} run) ${took}`,
    ...where,
  ].join('\n');
}
