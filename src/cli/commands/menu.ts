/** `wechat-gpt menu show | push [file] | delete`: the custom menu (自定义菜单), checked before WeChat sees it. */
import { Command } from 'commander';
import type { LoadedMenu, Menu, MenuButton } from '../../menu/index.js';
import type { WechatApi } from '../../wechat-api/types.js';
import { type CliContext, printResult } from '../context.js';
import { UsageError } from '../exit.js';
import type { CliConfig } from '../load-config.js';
import { loadConfig } from '../load-config.js';
import { addConfigOptions, type ConfigFlagOptions, flagValues } from '../options.js';
import type { Theme } from '../theme.js';

interface MenuOptions extends ConfigFlagOptions {
  json?: boolean;
  dryRun?: boolean;
}

const MENU_PAGE = '公众平台 → 内容与互动 → 自定义菜单';

async function configFor(ctx: CliContext, options: MenuOptions): Promise<CliConfig> {
  const loaded = await loadConfig({
    cwd: ctx.cwd,
    env: ctx.env,
    flags: flagValues(options),
    ...(options.config ? { configFile: options.config } : {}),
  });
  return loaded.config;
}

/** The WeChat API client for one command (its token cached in memory for the run). */
async function withApi<T>(config: CliConfig, use: (api: WechatApi) => Promise<T>): Promise<T> {
  const { appId, appSecret, apiBase } = config.wechat;
  if (!appId || !appSecret) {
    throw new UsageError('The menu API needs the AppID and the AppSecret.', {
      hint: 'Set WECHAT_APP_ID and WECHAT_APP_SECRET (公众平台 → 开发 → 基本配置), in .env or the environment.',
    });
  }
  const [{ createWechatApi }, { createMemoryStore }] = await Promise.all([
    import('../../wechat-api/client.js'),
    import('../../store/memory.js'),
  ]);
  const store = createMemoryStore();
  try {
    return await use(createWechatApi({ appId, appSecret, apiBase, store }));
  } finally {
    await store.close();
  }
}

export function menuCommand(ctx: CliContext): Command {
  const menu = new Command('menu').description('show, push or delete the custom menu (自定义菜单)');
  menu.addHelpText(
    'after',
    `
The menu lives in wechat-gpt.config.json ("menu") or its own JSON file, next to the keyword rules that answer its
CLICK keys. push checks WeChat's rules first (3 buttons, 5 sub-buttons each, name bytes, types, key and url) and exits 2
naming each broken button and rule; it warns about CLICK keys no keyword rule answers. Needs WECHAT_APP_ID and
WECHAT_APP_SECRET.

Examples:
  $ npx wechat-gpt menu push                 the config's menu
  $ npx wechat-gpt menu push menu.json --dry-run
  $ npx wechat-gpt menu show --json
  $ npx wechat-gpt menu delete`,
  );

  const show = new Command('show').description('print the menu users see now').option('--json', 'print JSON');
  addConfigOptions(show, { keys: ['wechat.appId'], tunnel: false });
  show.action(async (options: MenuOptions) => {
    const config = await configFor(ctx, options);
    const { currentMenu } = await import('../../menu/index.js');
    const live = await withApi(config, currentMenu);
    printResult(ctx, live, {
      json: options.json === true,
      text: (result) =>
        result.open
          ? `${ctx.theme.heading('The menu users see now:')}\n${formatMenu(result.menu, ctx.theme)}`
          : `No menu: the account has none, or it is turned off in ${MENU_PAGE}.`,
    });
  });

  const push = new Command('push')
    .description("check the menu against WeChat's rules, then create it (replaces the current one)")
    .argument('[file]', 'a JSON file with {"button": [...]} (default: "menu" in wechat-gpt.config.json)')
    .option('--dry-run', 'check and print the JSON that would be sent, without calling WeChat')
    .option('--json', 'print the result as JSON');
  addConfigOptions(push, { keys: ['wechat.appId'], tunnel: false });
  push.action(async (file: string | undefined, options: MenuOptions) => {
    const config = await configFor(ctx, options);
    const { pushMenu, readMenuFile, unansweredClicks, validMenu } = await import('../../menu/index.js');
    let source: LoadedMenu;
    if (file) source = await readMenuFile(file, ctx.cwd);
    else if (config.menu) source = { menu: config.menu as unknown as Menu, from: 'wechat-gpt.config.json (menu)' };
    else {
      throw new UsageError('No menu to push: give a file, or add "menu" to wechat-gpt.config.json.', {
        hint: 'e.g. npx wechat-gpt menu push menu.json, with {"button":[{"type":"click","name":"今日推荐","key":"TODAY"}]}.',
      });
    }
    const valid = validMenu(source);
    for (const { key, button } of unansweredClicks(valid, config.keywords)) {
      ctx.logger.warn(
        `${button} sends the CLICK key "${key}", and no keyword rule answers it: pressing it gets no reply. Add a rule with "pattern": "${key}".`,
      );
    }
    const counts = countButtons(valid);
    if (options.dryRun) {
      ctx.stdout.write(`${JSON.stringify(valid, null, 2)}\n`);
      ctx.logger.info(`Checked ${source.from}: ${counts}; nothing sent (--dry-run).`);
      return;
    }
    await withApi(config, (api) => pushMenu(api, valid));
    printResult(
      ctx,
      { ok: true, from: source.from, menu: valid },
      {
        json: options.json === true,
        text: () =>
          `${ctx.theme.success('✔')} Menu created from ${source.from}: ${counts}.\n${formatMenu(valid, ctx.theme)}\n` +
          ctx.theme.dim('Users see it the next time they open the chat (following again shows it at once).'),
      },
    );
  });

  const remove = new Command('delete').description('delete the custom menu (users then see none)');
  addConfigOptions(remove, { keys: ['wechat.appId'], tunnel: false });
  remove.action(async (options: MenuOptions) => {
    const config = await configFor(ctx, options);
    const { deleteMenu } = await import('../../menu/index.js');
    await withApi(config, deleteMenu);
    ctx.stdout.write(`${ctx.theme.success('✔')} Menu deleted.\n`);
  });

  return menu.addCommand(show).addCommand(push).addCommand(remove);
}

function countButtons(menu: Menu): string {
  const subs = menu.button.reduce((sum, top) => sum + (Array.isArray(top.sub_button) ? top.sub_button.length : 0), 0);
  return `${menu.button.length} button${menu.button.length === 1 ? '' : 's'}, ${subs} sub-button${subs === 1 ? '' : 's'}`;
}

/** The menu as a tree: name, type, and the key or url. */
export function formatMenu(menu: Menu, theme: Theme): string {
  const action = (button: MenuButton) => {
    const target = button.key ?? button.url ?? button.media_id ?? button.article_id ?? '';
    return `${theme.dim(String(button.type ?? ''))} ${String(target)}`.trimEnd();
  };
  const lines: string[] = [];
  for (const top of menu.button) {
    const subs = Array.isArray(top.sub_button) ? (top.sub_button as MenuButton[]) : [];
    lines.push(subs.length ? `  ${String(top.name)}` : `  ${String(top.name)}  ${action(top)}`);
    subs.forEach((sub, index) => {
      lines.push(`    ${index === subs.length - 1 ? '└' : '├'} ${String(sub.name)}  ${action(sub)}`);
    });
  }
  return lines.join('\n');
}
