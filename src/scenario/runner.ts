/**
 * Runs scenarios: each step goes through the simulator exactly as `simulate` sends a message (signing, the mode, the
 * drop at WeChat's timeout, its attempts), then its expectations are checked. Scenarios run side by side up to
 * `concurrency`, each as its own user; the steps of one scenario run in order.
 */
import { randomInt } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { type AttemptEvent, type DeliveryAttempt, deliver } from '../simulator/deliver.js';
import { DEFAULT_ACCOUNT } from '../simulator/ids.js';
import type { SimulatedMode } from '../simulator/sign.js';
import { checkExpectations, type Failure, type Observed, observe } from './expect.js';
import { stepMessage } from './message.js';
import type { LoadedScenario } from './parse.js';
import type { ModelScript, StepKind } from './schema.js';
import { STEP_KINDS } from './schema.js';
import type { ScriptedModel } from './scripted-model.js';

/** Where and how the steps are sent: the webhook and the keys WeChat would sign and encrypt with. */
export interface RunTarget {
  url: string;
  token: string;
  mode: SimulatedMode;
  encodingAesKey?: string;
  appId?: string;
  timeoutMs: number;
  attempts: number;
}

export type StepStatus = 'passed' | 'failed' | 'waited';

export interface StepResult {
  index: number;
  line: number;
  kind: StepKind;
  /** `send 价格`, `event subscribe`, `wait 1000 ms`, or the step's name. */
  label: string;
  status: StepStatus;
  failures: Failure[];
  seen?: Observed;
  attempts?: Array<Omit<DeliveryAttempt, 'body'>>;
  model?: ModelScript;
  durationMs: number;
}

export interface ScenarioResult {
  name: string;
  file: string;
  line: number;
  user: string;
  passed: boolean;
  steps: StepResult[];
  durationMs: number;
}

export interface RunResult {
  passed: boolean;
  scenarios: ScenarioResult[];
  durationMs: number;
  counts: { scenarios: number; failedScenarios: number; steps: number; failedSteps: number };
}

export type RunEvent =
  | { kind: 'scenario-start'; scenario: LoadedScenario; user: string }
  | { kind: 'step-start'; scenario: LoadedScenario; index: number; label: string }
  | { kind: 'attempt'; scenario: LoadedScenario; index: number; event: AttemptEvent }
  | { kind: 'step-end'; scenario: LoadedScenario; step: StepResult }
  | { kind: 'scenario-end'; scenario: LoadedScenario; result: ScenarioResult };

export interface RunScenariosOptions {
  scenarios: LoadedScenario[];
  target: RunTarget;
  /** The scripted model (in-process runs); steps with `model:` need it. */
  model?: ScriptedModel;
  /** The page marker of the bot's texts (see pageMarkerPattern). */
  pageMarker: RegExp;
  concurrency?: number;
  onEvent?: (event: RunEvent) => void;
  signal?: AbortSignal;
}

export async function runScenarios({
  scenarios,
  concurrency = 1,
  ...options
}: RunScenariosOptions): Promise<RunResult> {
  const started = performance.now();
  const results: ScenarioResult[] = new Array(scenarios.length);
  let next = 0;
  const worker = async () => {
    while (next < scenarios.length) {
      const index = next++;
      results[index] = await runScenario(scenarios[index] as LoadedScenario, options);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, scenarios.length)) }, worker));
  const steps = results.flatMap((result) => result.steps);
  const failedScenarios = results.filter((result) => !result.passed).length;
  return {
    passed: failedScenarios === 0,
    scenarios: results,
    durationMs: Math.round(performance.now() - started),
    counts: {
      scenarios: results.length,
      failedScenarios,
      steps: steps.length,
      failedSteps: steps.filter((step) => step.status === 'failed').length,
    },
  };
}

async function runScenario(
  loaded: LoadedScenario,
  { target, model, pageMarker, onEvent, signal }: Omit<RunScenariosOptions, 'scenarios' | 'concurrency'>,
): Promise<ScenarioResult> {
  const started = performance.now();
  const { scenario } = loaded;
  const user = scenario.user ?? freshOpenid();
  onEvent?.({ kind: 'scenario-start', scenario: loaded, user });
  const steps: StepResult[] = [];
  for (const [index, step] of scenario.steps.entries()) {
    signal?.throwIfAborted();
    const stepStarted = performance.now();
    const line = loaded.stepLines[index] ?? loaded.line;
    const kind = STEP_KINDS.find((name) => name in step) as StepKind;
    if ('wait' in step) {
      const label = step.name ?? `wait ${step.wait} ms`;
      onEvent?.({ kind: 'step-start', scenario: loaded, index, label });
      await sleep(step.wait, undefined, signal ? { signal } : {});
      const result: StepResult = { index, line, kind, label, status: 'waited', failures: [], durationMs: step.wait };
      steps.push(result);
      onEvent?.({ kind: 'step-end', scenario: loaded, step: result });
      continue;
    }
    const { message, probe, label } = stepMessage(step, { fromUser: user, toUser: DEFAULT_ACCOUNT });
    onEvent?.({ kind: 'step-start', scenario: loaded, index, label });
    const unscript =
      step.model && model ? model.script({ script: step.model, ...(probe ? { probe } : {}) }) : undefined;
    try {
      const delivered = await deliver({
        url: target.url,
        token: target.token,
        mode: target.mode,
        ...(target.encodingAesKey ? { encodingAesKey: target.encodingAesKey } : {}),
        ...(target.appId ? { appId: target.appId } : {}),
        message,
        timeoutMs: target.timeoutMs,
        attempts: target.attempts,
        ...(signal ? { signal } : {}),
        onAttempt: (event) => onEvent?.({ kind: 'attempt', scenario: loaded, index, event }),
      });
      const seen = observe(delivered, pageMarker);
      const failures = checkExpectations(step.expect ?? {}, seen);
      const result: StepResult = {
        index,
        line,
        kind,
        label,
        status: failures.length === 0 ? 'passed' : 'failed',
        failures,
        seen,
        attempts: delivered.attempts.map(({ body: _body, ...attempt }) => attempt),
        ...(step.model ? { model: step.model } : {}),
        durationMs: Math.round(performance.now() - stepStarted),
      };
      steps.push(result);
      onEvent?.({ kind: 'step-end', scenario: loaded, step: result });
    } finally {
      unscript?.();
    }
  }
  const result: ScenarioResult = {
    name: scenario.name,
    file: loaded.file,
    line: loaded.line,
    user,
    passed: steps.every((step) => step.status !== 'failed'),
    steps,
    durationMs: Math.round(performance.now() - started),
  };
  onEvent?.({ kind: 'scenario-end', scenario: loaded, result });
  return result;
}

/** A fresh 28-character openid per scenario, so no run sees another's conversation. */
function freshOpenid(): string {
  const digits = (n: number) => String(randomInt(0, 10 ** n)).padStart(n, '0');
  return `oScenario${digits(9)}${digits(10)}`;
}
