/** The text report as it happens: one scenario at a time live (a spinner on a terminal), or blocks when parallel. */
import type { RunEvent, RunResult } from '../../scenario/runner.js';
import type { CliContext } from '../context.js';
import { createLiveWait, waitingText } from '../live-wait.js';

export function createTextOutput(
  ctx: CliContext,
  concurrency: number,
  text: typeof import('../../scenario/reporters/text.js'),
) {
  const write = (line: string) => ctx.stdout.write(`${line}\n`);
  const wait = concurrency === 1 ? createLiveWait(ctx.stdout, ctx.env) : undefined;
  const onEvent = (event: RunEvent) => {
    const { theme } = ctx;
    if (concurrency > 1) {
      if (event.kind === 'scenario-end') write(`${text.formatScenario(event.result, theme)}\n`);
      return;
    }
    switch (event.kind) {
      case 'scenario-start':
        write(
          text.formatScenarioHeader(
            { name: event.scenario.scenario.name, file: event.scenario.file, user: event.user },
            theme,
          ),
        );
        break;
      case 'attempt':
        if (event.event.kind === 'start') {
          const n = event.event.n;
          wait?.start((ms) => `${event.index + 1}. ${waitingText(n, ms)}`);
        } else wait?.stop();
        break;
      case 'step-end':
        wait?.stop();
        write(text.formatStep(event.step, theme));
        break;
      case 'scenario-end':
        write('');
        break;
    }
  };
  return {
    onEvent,
    finish(run: RunResult) {
      wait?.stop();
      write(text.formatSummary(run, ctx.theme));
    },
  };
}
