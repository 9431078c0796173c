// `wechat-gpt test` end to end through the built CLI: scenario files run against the bot started in-process (with
// the scripted model) or at --url; WeChat's clock compressed to 2 s by the config file's timing.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { afterAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { validateXML } from 'xmllint-wasm';
import type { RunResult } from '../../src/scenario/runner.js';
import { createRedisStore } from '../../src/store/redis.js';
import { runCli, tempDir } from './run-cli.js';
import { startCli } from './spawn-cli.js';

/**
 * WeChat's 5 s at 2 s (the bot and the simulator both read it); the slow answer takes 2.6 s, in the middle of attempt 2
 * (2–4 s), so a loaded machine still gets it there.
 */
const CONFIG = {
  timing: { wechatTimeoutMs: 2000, replyBudgetMs: 1800 },
  keywords: [{ match: 'exact', pattern: '价格', reply: { type: 'text', content: '基础版 99 元/年' } }],
  texts: { welcome: '欢迎关注！回复「价格」查看套餐。' },
};

const BASICS = `# scenarios/basics.yaml
name: 关注、关键词与慢回答
user: oTester0001
steps:
  - event: subscribe
    expect: { contains: 欢迎 }
  - send: 价格
    expect: { equals: "基础版 99 元/年" }
  - send: 讲个笑话
    expect: { notContains: 该公众号暂时无法提供服务, withinMs: 6000 }
  - send: 慢一点的问题
    model: { say: "慢答案", delayMs: 2600 }
    expect: { equals: 慢答案, attempt: 2 }
`;

const dir = tempDir();
afterAll(() => dir.remove());
const env = { WECHAT_TOKEN: 'scenarioToken42' };
const write = (name: string, text: string) => {
  mkdirSync(join(dir.path, name, '..'), { recursive: true });
  writeFileSync(join(dir.path, name), text);
};
const cli = (args: string[], timeoutMs = 20_000) => runCli(['test', ...args], { cwd: dir.path, env, timeoutMs });

beforeEach(() => {
  rmSync(join(dir.path, 'scenarios'), { recursive: true, force: true });
  write('wechat-gpt.config.json', JSON.stringify(CONFIG));
  write('scenarios/basics.yaml', BASICS);
});

describe('wechat-gpt test, in-process', () => {
  it('runs the example of the issue: every step passes, exit 0', async () => {
    const run = await cli([]);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(run.stdout).toContain('关注、关键词与慢回答  scenarios/basics.yaml · user oTester0001');
    for (const step of ['1. event subscribe', '2. send 价格', '3. send 讲个笑话'])
      expect(run.stdout).toContain(`✔ ${step}`);
    expect(run.stdout).toMatch(/✔ 4\. send 慢一点的问题 .*attempt 2, scripted model/);
    expect(run.stdout).toContain('✔ 1 scenario, 4 steps: all passed');
  });

  it('a changed price fails exactly that step, with expected and actual; exit 1', async () => {
    write('wechat-gpt.config.json', JSON.stringify(CONFIG).replace('99 元', '129 元'));
    const run = await cli([]);
    expect(run.code, run.stderr).toBe(1);
    expect(run.stdout).toContain('✖ 2. send 价格');
    expect(run.stdout).toContain('expected: 基础版 99 元/年');
    expect(run.stdout).toContain('actual:   基础版 129 元/年');
    expect(run.stdout.match(/✖ \d\./g)).toHaveLength(1);
    expect(run.stdout).toContain('✖ 1 step failed in 1 of 1 scenario');
    expect(run.stdout).toContain('scenarios/basics.yaml:7  关注、关键词与慢回答 › 2. send 价格');
    expect(run.stderr).toContain('error: 1 of 4 steps failed.');
  });

  it('JUnit for CI: one testcase per step, the failure with its message; stdout keeps the text report', async () => {
    write('wechat-gpt.config.json', JSON.stringify(CONFIG).replace('99 元', '129 元'));
    const run = await cli(['--reporter', 'junit', '--output', 'reports/junit.xml']);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('✖ 2. send 价格');
    const xml = readFileSync(join(dir.path, 'reports/junit.xml'), 'utf8');
    expect(XMLValidator.validate(xml)).toBe(true);
    const schema = readFileSync(new URL('../vectors/junit.xsd', import.meta.url), 'utf8');
    const checked = await validateXML({ xml: [{ fileName: 'junit.xml', contents: xml }], schema: [schema] });
    expect(checked.errors).toEqual([]);
    const parsed = new XMLParser({
      ignoreAttributes: false,
      attributeNamePrefix: '',
      isArray: (name) => name === 'testcase',
    }).parse(xml);
    const suite = parsed.testsuites.testsuite;
    expect(parsed.testsuites).toMatchObject({ tests: '4', failures: '1', errors: '0' });
    expect(suite).toMatchObject({
      name: '关注、关键词与慢回答',
      tests: '4',
      failures: '1',
      file: 'scenarios/basics.yaml',
    });
    expect(suite.testcase.map((c: { name: string }) => c.name)).toEqual([
      '1. event subscribe',
      '2. send 价格',
      '3. send 讲个笑话',
      '4. send 慢一点的问题',
    ]);
    const failed = suite.testcase[1];
    expect(failed).toMatchObject({ classname: '关注、关键词与慢回答', line: '7' });
    expect(failed.failure.message).toBe('equals: expected 基础版 99 元/年, got 基础版 129 元/年');
    expect(failed.failure['#text']).toContain('at scenarios/basics.yaml:7');
    expect(suite.testcase[0].failure).toBeUndefined();
  });

  it('a typo in an expectation key: exit 2 with file and line, before anything is sent', async () => {
    write('scenarios/basics.yaml', BASICS.replace('{ equals: "基础版', '{ equls: "基础版'));
    write('scenarios/more/other.yaml', 'name: other\nsteps:\n  - send: hi\n    expect: { type: txt }\n');
    const run = await cli([]);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain('error: 2 scenario files are invalid; nothing was sent:');
    expect(run.stderr).toMatch(/scenarios\/basics\.yaml:8:\d+ {2}steps\[1\]\.expect\.equls: unknown key "equls"/);
    expect(run.stderr).toMatch(/scenarios\/more\/other\.yaml:4:\d+ {2}steps\[0\]\.expect\.type: /);
  });

  it('paging, a failing model, --json, --grep and --concurrency', async () => {
    const long = `${'这是一段很长的回答。'.repeat(120)}结尾`;
    write(
      'scenarios/paging.yaml',
      `name: 长回答分页
steps:
  - send: 讲一个长故事
    model: { say: "${long}" }
    expect: { pages: 2, contains: 回复「继续」 }
  - send: 继续
    expect: { contains: 结尾, pages: 1 }
---
name: 模型出错
steps:
  - send: 出错的问题
    model: { fail: 500 }
    expect: { contains: AI 模型服务暂时出错了 }
`,
    );
    const run = await cli(['--json', '--grep', '长回答|模型', '--concurrency', '2']);
    expect(run.code, run.stderr).toBe(0);
    const result = JSON.parse(run.stdout) as RunResult;
    expect(result.scenarios.map((s) => s.name)).toEqual(['长回答分页', '模型出错']);
    expect(result.counts).toEqual({ scenarios: 2, failedScenarios: 0, steps: 3, failedSteps: 0 });
    expect(result.scenarios[0]?.steps[0]?.seen?.pages).toBe(2);
    expect(new Set(result.scenarios.map((s) => s.user)).size).toBe(2);
  });

  it('with REDIS_URL the in-process bot keeps its state in Redis, as serve would', async () => {
    const redisUrl = inject('redisUrl');
    expect(redisUrl, 'redis-server is needed for this test').not.toBe('');
    write(
      'scenarios/basics.yaml',
      'name: redis\nuser: oRedisScenario01\nsteps:\n  - send: 记住我\n    model: { say: 好的 }\n',
    );
    const run = await runCli(['test'], { cwd: dir.path, env: { ...env, REDIS_URL: redisUrl }, timeoutMs: 20_000 });
    expect(run.code, run.stdout + run.stderr).toBe(0);
    const store = await createRedisStore({ url: redisUrl });
    try {
      const session = await store.getSession('oRedisScenario01');
      expect(JSON.stringify(session)).toContain('好的');
    } finally {
      await store.close();
    }
  });

  it('usage errors: no scenarios folder, --grep matching nothing', async () => {
    rmSync(join(dir.path, 'scenarios'), { recursive: true, force: true });
    const none = await cli([]);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('No scenarios/ folder here');
    expect(none.stderr).toContain('npx wechat-gpt init');
    write('scenarios/basics.yaml', BASICS);
    const grep = await cli(['--grep', 'nothing-like-this']);
    expect(grep.code).toBe(2);
    expect(grep.stderr).toContain('The names are: 关注、关键词与慢回答.');
  });
});

describe('wechat-gpt test --url', () => {
  it('tests a running server; model scripts are refused there (exit 2, with their lines)', async () => {
    const serve = startCli(['serve', '--tunnel', 'none', '--port', '0', '--json'], { cwd: dir.path, env });
    try {
      const ready = JSON.parse(await serve.waitForLine((line) => line.startsWith('{'))) as { url: string };
      const refused = await cli(['--url', ready.url]);
      expect(refused.code).toBe(2);
      expect(refused.stderr).toContain(
        'model: scripts need the bot started here, not at --url:\n  scenarios/basics.yaml:11',
      );

      write('scenarios/basics.yaml', BASICS.split('  - send: 慢一点的问题')[0] as string);
      const run = await cli(['--url', ready.url]);
      expect(run.code, run.stdout + run.stderr).toBe(0);
      expect(run.stdout).toContain('✔ 1 scenario, 3 steps: all passed');
    } finally {
      serve.kill('SIGKILL');
    }
  });

  it('a webhook that answers 500: every step fails with the reason, nothing hangs', async () => {
    const server: Server = createServer((_req, res) => {
      res.writeHead(500);
      res.end('oops');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      write('scenarios/basics.yaml', 'name: broken\nsteps:\n  - send: 你好\n');
      const run = await cli(['--url', `http://127.0.0.1:${port}/wechat`]);
      expect(run.code).toBe(1);
      expect(run.stdout).toContain('✖ 1. send 你好');
      expect(run.stdout).toContain('HTTP status 500: WeChat needs 200');
      expect(run.stdout).toContain('user saw: 该公众号暂时无法提供服务');
    } finally {
      server.close();
    }
  });
});
