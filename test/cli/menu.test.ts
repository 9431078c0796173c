// `wechat-gpt menu` (the built CLI) against a local fake of the WeChat API: push sends exactly the checked JSON, an
// invalid menu exits 2 naming the button and the rule before anything is sent, show and delete round-trip.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type FakeWechatApi, startFakeWechatApi } from '../support/fake-wechat-api.js';
import { runCli, tempDir } from './run-cli.js';

const APP_ID = 'wx1234567890abcdef';
const APP_SECRET = 'appsecret0123456789abcdef01234567';

const MENU = {
  button: [
    { type: 'click', name: '今日推荐', key: 'TODAY' },
    {
      name: '服务',
      sub_button: [
        { type: 'view', name: '官网', url: 'https://example.com/' },
        { type: 'click', name: '联系我们', key: 'CONTACT' },
      ],
    },
  ],
};

describe('wechat-gpt menu', () => {
  let api: FakeWechatApi;
  let dir: ReturnType<typeof tempDir>;
  let env: Record<string, string>;
  beforeAll(async () => {
    api = await startFakeWechatApi({ appId: APP_ID, appSecret: APP_SECRET });
    env = { WECHAT_APP_ID: APP_ID, WECHAT_APP_SECRET: APP_SECRET, WECHAT_API_BASE: api.url };
  });
  afterAll(() => api.close());
  afterEach(() => dir?.remove());

  const write = (name: string, value: unknown) => writeFileSync(join(dir.path, name), JSON.stringify(value, null, 2));

  it('pushes the config’s menu: exactly the checked JSON, and warns about a CLICK key no rule answers', async () => {
    dir = tempDir();
    write('wechat-gpt.config.json', {
      menu: MENU,
      keywords: [{ match: 'exact', pattern: 'TODAY', reply: { type: 'text', content: '今天推荐这本书' } }],
    });
    const run = await runCli(['menu', 'push'], { cwd: dir.path, env });
    expect(run.code).toBe(0);
    const calls = api.callsTo('/cgi-bin/menu/create');
    expect(calls.at(-1)?.body).toEqual(MENU);
    expect(run.stdout).toMatch(/Menu created from wechat-gpt\.config\.json \(menu\): 2 buttons, 2 sub-buttons/);
    expect(run.stdout).toContain('└ 联系我们');
    expect(run.stderr).toMatch(/「服务」 → 「联系我们」 sends the CLICK key "CONTACT", and no keyword rule answers it/);
    expect(run.stderr).not.toMatch(/TODAY/);

    const show = await runCli(['menu', 'show', '--json'], { cwd: dir.path, env });
    expect(show.code).toBe(0);
    expect(JSON.parse(show.stdout)).toEqual({ open: true, menu: MENU });

    const removed = await runCli(['menu', 'delete'], { cwd: dir.path, env });
    expect(removed.stdout).toMatch(/Menu deleted/);
    expect((await runCli(['menu', 'show'], { cwd: dir.path, env })).stdout).toMatch(/^No menu/);
  });

  it('exits 2 naming each broken button and rule, and sends nothing', async () => {
    dir = tempDir();
    write('menu.json', {
      button: [
        { type: 'click', name: '一个很长的菜单名字', key: 'A' },
        { name: '服务', sub_button: [{ type: 'view', name: '官网', url: 'example.com' }] },
      ],
    });
    const before = api.callsTo('/cgi-bin/menu/create').length;
    const run = await runCli(['menu', 'push', 'menu.json'], { cwd: dir.path, env });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(
      /「一个很长的菜单名字」 \(button\[0\]\.name\) breaks the name length rule: name is 27 bytes; WeChat allows at most 16/,
    );
    expect(run.stderr).toMatch(/「服务」 → 「官网」 \(button\[1\]\.sub_button\[0\]\.url\) breaks the url scheme rule/);
    expect(api.callsTo('/cgi-bin/menu/create').length).toBe(before);
  });

  it('--dry-run prints the JSON without calling WeChat; an errcode comes back with the menu hint', async () => {
    dir = tempDir();
    write('menu.json', { menu: MENU });
    const before = api.calls.length;
    const dry = await runCli(['menu', 'push', 'menu.json', '--dry-run'], { cwd: dir.path, env });
    expect(dry.code).toBe(0);
    expect(JSON.parse(dry.stdout)).toEqual(MENU);
    expect(api.calls.length).toBe(before);

    api.inject('/cgi-bin/menu/create', 48001);
    const refused = await runCli(['menu', 'push', 'menu.json'], { cwd: dir.path, env });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/WeChat API error 48001/);
    expect(refused.stderr).toMatch(/个人订阅号/);
  });

  it('needs the AppID and AppSecret, and a menu', async () => {
    dir = tempDir();
    const noKeys = await runCli(['menu', 'show'], { cwd: dir.path });
    expect(noKeys.code).toBe(2);
    expect(noKeys.stderr).toMatch(/WECHAT_APP_ID and WECHAT_APP_SECRET/);
    const noMenu = await runCli(['menu', 'push'], { cwd: dir.path, env });
    expect(noMenu.code).toBe(2);
    expect(noMenu.stderr).toMatch(/No menu to push/);
  });
});
