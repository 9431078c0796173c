import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig, toWechatGptConfig } from '../../src/cli/load-config.js';
import { readState, statePath, withStableKeys } from '../../src/cli/state.js';
import { tempDir } from './run-cli.js';

const dirs: Array<{ remove: () => void }> = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) dir.remove();
});
function folder() {
  const dir = tempDir();
  dirs.push(dir);
  return dir.path;
}

describe('withStableKeys', () => {
  it('generates a Token and EncodingAESKey once, saves them 0600, and reuses them on the next start', async () => {
    const cwd = folder();
    const first = await withStableKeys(await loadConfig({ cwd, env: {} }), { cwd });
    expect(first.sources['wechat.token']).toBe('generated');
    expect(first.sources['wechat.encodingAesKey']).toBe('generated');
    expect(statSync(statePath(cwd)).mode & 0o777).toBe(0o600);
    expect(statSync(join(cwd, '.wechat-gpt')).mode & 0o777).toBe(0o700);

    expect(() => toWechatGptConfig(first)).not.toThrow();
    const second = await withStableKeys(await loadConfig({ cwd, env: {} }), { cwd });
    expect(second.config.wechat.token).toBe(first.config.wechat.token);
    expect(second.config.wechat.encodingAesKey).toBe(first.config.wechat.encodingAesKey);
    expect(second.sources['wechat.token']).toBe('state file');
  });

  it('lets configured values win and never writes them to the state file', async () => {
    const cwd = folder();
    const loaded = await loadConfig({ cwd, env: { WECHAT_TOKEN: 'Configured1' } });
    const result = await withStableKeys(loaded, {
      cwd,
      generate: { token: () => 'Unused1', encodingAesKey: () => 'k'.repeat(43) },
    });
    expect(result.config.wechat.token).toBe('Configured1');
    expect(result.sources['wechat.token']).toBe('env');
    expect(result.config.wechat.encodingAesKey).toBe('k'.repeat(43));
    expect(readFileSync(statePath(cwd), 'utf8')).not.toContain('Configured1');
  });

  it('with generate: false only reads, and a corrupt or invalid state is replaced, not trusted', async () => {
    const cwd = folder();
    const readOnly = await withStableKeys(await loadConfig({ cwd, env: {} }), { cwd, generate: false });
    expect(readOnly.config.wechat.token).toBeUndefined();
    expect(() => toWechatGptConfig(readOnly)).toThrow(
      expect.objectContaining({ setting: 'wechat.token', code: 'CONFIG_INVALID' }),
    );
    expect(await readState(cwd)).toEqual({});

    await withStableKeys(await loadConfig({ cwd, env: {} }), { cwd });
    writeFileSync(statePath(cwd), '{ broken');
    expect(await readState(cwd)).toEqual({});
    writeFileSync(statePath(cwd), JSON.stringify({ wechat: { token: 'no!', encodingAesKey: 'short' } }));
    const replaced = await withStableKeys(await loadConfig({ cwd, env: {} }), { cwd });
    expect(replaced.sources['wechat.token']).toBe('generated');
    expect(replaced.config.wechat.token).toMatch(/^[A-Za-z0-9]{32}$/);
  });
});
