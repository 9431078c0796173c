// `wechat-gpt test` at WeChat's real timing (5 s, 3 attempts), through the built CLI: the example of issue 12 word
// for word, and the scenario `init` writes. Slow (each run waits for a 7 s answer): `npm run test:e2e`.
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stripVTControlCharacters as stripAnsi } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli, tempDir } from '../cli/run-cli.js';
import { BIN } from '../cli/spawn-cli.js';

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

const config = (price: string) =>
  JSON.stringify({
    keywords: [{ match: 'exact', pattern: '价格', reply: { type: 'text', content: `基础版 ${price} 元/年` } }],
    texts: { welcome: '欢迎关注！回复「价格」查看套餐。' },
  });

const dirs: Array<{ remove: () => void }> = [];
afterAll(() => {
  for (const dir of dirs) dir.remove();
});
function folder(): string {
  const dir = tempDir();
  dirs.push(dir);
  return dir.path;
}

describe('wechat-gpt test at real timing', () => {
  it('the example of the issue passes; a changed price fails exactly that step (exit 1)', async () => {
    const cwd = folder();
    mkdirSync(join(cwd, 'scenarios'));
    writeFileSync(join(cwd, 'scenarios/basics.yaml'), ISSUE_EXAMPLE);
    writeFileSync(join(cwd, 'wechat-gpt.config.json'), config('99'));
    const env = { WECHAT_TOKEN: 'e2eScenarioToken' };

    const passed = await runCli(['test'], { cwd, env, timeoutMs: 40_000 });
    expect(passed.code, passed.stdout + passed.stderr).toBe(0);
    expect(passed.stdout).toMatch(/✔ 4\. send 慢一点的问题 {2}7\.\d\d s, attempt 2, scripted model 7\.00 s/);
    expect(passed.stdout).toContain('✔ 1 scenario, 4 steps: all passed');

    writeFileSync(join(cwd, 'wechat-gpt.config.json'), config('129'));
    const failed = await runCli(['test'], { cwd, env, timeoutMs: 40_000 });
    expect(failed.code).toBe(1);
    expect(failed.stdout.match(/✖ \d\./g)).toEqual(['✖ 2.']);
    expect(failed.stdout).toContain('expected: 基础版 99 元/年');
    expect(failed.stdout).toContain('actual:   基础版 129 元/年');
  }, 90_000);

  it('init, then test: the example scenario passes against the starter configuration', async () => {
    const cwd = folder();
    expect((await runCli(['init'], { cwd })).code).toBe(0);
    const run = await runCli(['test'], { cwd, timeoutMs: 40_000 });
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(run.stdout).toContain('✔ 1 scenario, 4 steps: all passed');
  }, 60_000);

  it('on a terminal, test shows a spinner with the time waited while a step runs', () => {
    const cwd = folder();
    writeFileSync(join(cwd, 'wechat-gpt.config.json'), config('99'));
    mkdirSync(join(cwd, 'scenarios'));
    writeFileSync(
      join(cwd, 'scenarios/slow.yaml'),
      'name: slow\nsteps:\n  - send: 慢\n    model: { say: 好, delayMs: 1500 }\n',
    );
    // script(1) gives the CLI a pseudo-terminal, as a person's shell would.
    const output = stripAnsi(
      execFileSync('script', ['-qec', `${process.execPath} ${BIN} test`, '/dev/null'], {
        cwd,
        env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: cwd, WECHAT_TOKEN: 'e2eScenarioToken', TERM: 'xterm' },
        encoding: 'utf8',
        timeout: 30_000,
      }),
    );
    expect(output).toMatch(/1\. attempt 1 +\d\.\d\d s {2}waiting for the answer…/);
    expect(output).toContain('✔ 1. send 慢');
  });
});
