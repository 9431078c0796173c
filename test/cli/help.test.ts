import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { SETTINGS } from '../../src/cli/settings.js';
import { ANSI, runCli, tempDir } from './run-cli.js';

const dir = tempDir();
afterAll(() => dir.remove());
const cli = (args: string[], env: Record<string, string> = {}) => runCli(args, { cwd: dir.path, env });

describe('wechat-gpt --help, --version, mistakes', () => {
  it('lists the commands, examples, exit codes and the environment name of every setting', async () => {
    const { code, stdout } = await cli(['--help']);
    expect(code).toBe(0);
    for (const command of ['init', 'serve', 'config', 'simulate', 'verify'])
      expect(stdout).toMatch(new RegExp(`\\n  ${command}\\b`));
    expect(stdout).toContain('Examples:');
    expect(stdout).toContain('$ npx wechat-gpt init');
    for (const setting of SETTINGS) if ('env' in setting) expect(stdout).toContain(setting.env);
    expect(stdout).toContain('Exit codes:');
    expect(stdout).toContain('2  wrong command line or configuration');
  });

  it("names each option's environment variable in a command's help", async () => {
    const { code, stdout } = await cli(['serve', '--help']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/--port <number>.*\(env:\s+PORT\)/s);
    expect(stdout).toMatch(/--model <name>.*\(env:\s+OPENAI_MODEL\)/s);
    expect(stdout).toMatch(/--domain <domain>.*\(env:\s+NGROK_DOMAIN\)/s);
    expect(stdout).toContain('--no-tunnel');
    expect(stdout).toContain('Examples:');
  });

  it('words --port for what each command does with it: serve listens, simulate and verify talk to a server', async () => {
    expect((await cli(['serve', '--help'])).stdout).toMatch(/--port <number>\s+port to listen on/);
    for (const command of ['simulate', 'verify']) {
      const { stdout } = await cli([command, '--help']);
      expect(stdout).toMatch(/--port <number>\s+port of the local server to talk to/);
      expect(stdout).not.toContain('port to listen on');
    }
  });

  it('prints the version from package.json with -v and --version', async () => {
    const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
      version: string;
    };
    for (const flag of ['-v', '--version']) {
      const { code, stdout } = await cli([flag]);
      expect(code).toBe(0);
      expect(stdout.trim()).toBe(version);
    }
  });

  it('suggests the command meant and exits 2 on a mistyped one', async () => {
    const { code, stdout, stderr } = await cli(['sevre']);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toContain("error: unknown command 'sevre'");
    expect(stderr).toContain('(Did you mean serve?)');
  });

  it('exits 2 on an unknown option, with a suggestion when one is close', async () => {
    const { code, stderr } = await cli(['config', '--jsn']);
    expect(code).toBe(2);
    expect(stderr).toContain("unknown option '--jsn'");
    expect(stderr).toContain('(Did you mean --json?)');
  });

  it('colours only when allowed: FORCE_COLOR on, NO_COLOR and --no-color off', async () => {
    expect((await cli(['--help'], { FORCE_COLOR: '1' })).stdout).toMatch(ANSI);
    expect((await cli(['--help'], { FORCE_COLOR: '1', NO_COLOR: '1' })).stdout).not.toMatch(ANSI);
    const noColor = await cli(['config', '--no-color'], { FORCE_COLOR: '1' });
    expect(noColor.code).toBe(0);
    expect(noColor.stdout).not.toMatch(ANSI);
    const piped = await cli(['config']);
    expect(piped.stdout).not.toMatch(ANSI);
  });

  it('documents simulate and verify: every option, examples and exit codes', async () => {
    const simulate = await cli(['simulate', '--help']);
    expect(simulate.code).toBe(0);
    for (const option of ['--url', '--type', '--event', '--key', '--user', '--to', '--pic-url', '--recognition']) {
      expect(simulate.stdout).toContain(option);
    }
    for (const option of ['--mode', '--no-retry', '--json', '--interactive', '--timeout']) {
      expect(simulate.stdout).toContain(option);
    }
    expect(simulate.stdout).toContain('Exit codes: 0 WeChat shows the reply');
    expect(simulate.stdout).toContain('$ npx wechat-gpt simulate --interactive');
    const verify = await cli(['verify', '--help']);
    expect(verify.code).toBe(0);
    expect(verify.stdout).toContain('--url <url>');
    expect(verify.stdout).toContain('Exit codes: 0 pass, 1 fail, 2 usage.');
  });
});
