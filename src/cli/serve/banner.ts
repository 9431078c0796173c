/** What serve prints once it is ready: a banner with the values to paste into 服务器配置, or the `ready` JSON line. */
import { displayWidth, fitWidth, padEnd } from '../text-width.js';
import type { Theme } from '../theme.js';
import type { ServeInfo } from './start.js';

const SERVER_CONFIG = '公众平台 → 开发 → 基本配置 → 服务器配置';

export function readyEvent(info: ServeInfo): Record<string, unknown> {
  return {
    event: 'ready',
    url: info.url,
    publicUrl: info.publicUrl,
    token: info.token,
    aesKey: info.aesKey,
    mode: info.mode,
    pasteUrl: info.pasteUrl,
    appId: info.appId,
    tunnel: info.tunnel,
    delivery: info.delivery,
    model: info.llm.model,
    baseUrl: info.llm.baseUrl,
    llmConfigured: info.llm.configured,
    store: info.store.kind,
    consoleUrl: info.console.url,
  };
}

const SOURCE_WORDS: Record<string, string> = {
  generated: 'generated now, kept in .wechat-gpt/state.json',
  'state file': '.wechat-gpt/state.json',
  env: 'environment',
  flag: 'flag',
  '.env': '.env',
  'config file': 'wechat-gpt.config.json',
  default: 'default',
  'not set': 'not set',
};

/**
 * The banner. With `width` (the terminal's columns) no line wraps: a row's note moves under its value (cut to fit),
 * and a sentence that ends in a command or URL puts it on a line of its own. Values to paste are never cut.
 */
export function formatBanner(
  info: ServeInfo,
  theme: Theme,
  { version, quiet, width = Number.POSITIVE_INFINITY }: { version: string; quiet: boolean; width?: number | undefined },
) {
  const rows: Array<[label: string, value: string, note?: string]> = [];
  const from = (source: string) => SOURCE_WORDS[source] ?? source;

  rows.push(['URL', theme.url(info.pasteUrl), urlNote(info)]);
  rows.push(['Token', theme.secret(info.token), from(info.sources.token)]);
  if (info.aesKey) {
    rows.push([
      'EncodingAESKey',
      theme.secret(info.aesKey),
      info.mode === 'safe'
        ? from(info.sources.aesKey)
        : `${from(info.sources.aesKey)}; for 安全模式, once WECHAT_APP_ID is set`,
    ]);
  }
  rows.push(
    info.mode === 'safe'
      ? [
          '消息加解密方式',
          theme.success('安全模式'),
          `recommended, AppID ${info.appId}; 明文模式 and 兼容模式 work too`,
        ]
      : ['消息加解密方式', theme.warn('明文模式'), 'for 安全模式 set WECHAT_APP_ID, then choose 安全模式 there'],
  );

  const fits = (line: string) => displayWidth(line) <= width;
  /** `  text value` on one line when it fits, else the value (a command, a URL) on its own line below. */
  const said = (text: string, value: string): string[] =>
    fits(`  ${text} ${value}`) ? [`  ${text} ${value}`] : [`  ${text}`, `    ${value}`];

  const heading = `  ${theme.heading(`wechat-gpt ${version}`)} ${theme.success('is ready.')}`;
  const lines = ['', ...said(heading.trimStart(), `Paste into ${SERVER_CONFIG}:`), ''];
  lines.push(...table(rows, theme, width));
  if (quiet) return lines.join('\n');

  const more: Array<[string, string, string?]> = [
    [
      'Model',
      `${info.llm.model} ${theme.dim('at')} ${info.llm.baseUrl}`,
      `model: ${from(info.sources.model)}, URL: ${from(info.sources.baseUrl)}`,
    ],
    info.llm.apiKey
      ? ['API key', theme.secret(info.llm.apiKey), from(info.sources.apiKey)]
      : [
          'API key',
          theme.warn(info.llm.configured ? 'none (local server)' : 'not set'),
          info.llm.configured ? '' : 'answers say the bot is not configured',
        ],
    [
      'Delivery',
      info.delivery,
      info.delivery === 'active'
        ? 'slow answers are pushed (客服消息)'
        : `slow answers wait until the user sends 「${info.continueWord}」 or a new message`,
    ],
    ['Store', info.store.url ? `${info.store.kind} ${info.store.url}` : info.store.kind],
  ];
  lines.push('', ...table(more, theme, width));
  lines.push('');
  if (info.publicUrl) {
    lines.push(
      ...said('Then click 提交. Check any time:', theme.accent(`npx wechat-gpt verify --url ${info.pasteUrl}`)),
    );
  } else {
    lines.push(
      `  ${theme.warn('WeChat cannot reach a local URL:')} set NGROK_AUTHTOKEN for a tunnel, or pass --public-url.`,
    );
  }
  lines.push(...said('Try it without a phone:', theme.accent(`npx wechat-gpt simulate --url ${info.url} "你好"`)));
  if (info.console.url !== null) {
    lines.push(...said('Dev console (this machine only):', theme.url(info.console.url)));
  } else if (info.console.reason === 'not-loopback') {
    lines.push(
      `  ${theme.dim(fitWidth('No dev console: it needs loopback, and --host is not 0.0.0.0, :: or 127.0.0.1.', width - 2))}`,
    );
  }
  lines.push(`  ${theme.dim('Ctrl-C to stop. One line per message:')}`);
  lines.push('');
  return lines.join('\n');
}

function urlNote(info: ServeInfo): string {
  switch (info.tunnel) {
    case 'ngrok':
      return 'ngrok tunnel';
    case 'fake':
      return 'test tunnel';
    case 'public-url':
      return '--public-url';
    case 'none':
      return info.noTunnelReason === 'flag' ? 'local only, --tunnel none' : 'local only: no NGROK_AUTHTOKEN';
  }
}

/** Label, value and (note) per row; a note that would make its row wrap goes on the next line, cut to fit. */
function table(rows: Array<[string, string, string?]>, theme: Theme, width: number): string[] {
  const labelWidth = Math.max(...rows.map(([label]) => displayWidth(label))) + 2;
  return rows.flatMap(([label, value, note]) => {
    const row = `  ${padEnd(label, labelWidth)}${value}`;
    if (!note) return [row.trimEnd()];
    const whole = `${row}  ${theme.dim(`(${note})`)}`;
    if (displayWidth(whole) <= width) return [whole];
    const indent = ' '.repeat(2 + labelWidth);
    return [row.trimEnd(), `${indent}${theme.dim(fitWidth(`(${note})`, Math.max(8, width - indent.length)))}`];
  });
}
