/**
 * WeChat's rules for 自定义菜单 (POST /cgi-bin/menu/create), checked before the call so a bad menu is named precisely
 * instead of coming back as an errcode: at most 3 buttons with at most 5 sub-buttons each, names of at most 16 (top) and
 * 60 (sub) bytes, a known type with what that type needs (key ≤ 128 bytes, url ≤ 1024 bytes and http(s), …).
 */

export const MENU_TYPES = [
  'click',
  'view',
  'miniprogram',
  'scancode_push',
  'scancode_waitmsg',
  'pic_sysphoto',
  'pic_photo_or_album',
  'pic_weixin',
  'location_select',
  'media_id',
  'article_id',
  'article_view_limited',
] as const;
export type MenuType = (typeof MENU_TYPES)[number];

/** Types whose press sends the bot an event carrying `key` as its EventKey. */
const KEYED: ReadonlySet<string> = new Set([
  'click',
  'scancode_push',
  'scancode_waitmsg',
  'pic_sysphoto',
  'pic_photo_or_album',
  'pic_weixin',
  'location_select',
]);

export const LIMITS = {
  buttons: 3,
  subButtons: 5,
  topNameBytes: 16,
  subNameBytes: 60,
  keyBytes: 128,
  urlBytes: 1024,
} as const;

export interface MenuButton {
  name?: unknown;
  type?: unknown;
  key?: unknown;
  url?: unknown;
  appid?: unknown;
  pagepath?: unknown;
  media_id?: unknown;
  article_id?: unknown;
  sub_button?: unknown;
  [field: string]: unknown;
}

export interface Menu {
  button: MenuButton[];
}

/** One broken rule: where (a path and the button's name), which rule, and how to fix it. */
export interface MenuProblem {
  /** e.g. button[1].sub_button[0].key */
  path: string;
  /** The button as people see it: 「服务」 → 「联系我们」. */
  button: string;
  rule: string;
  message: string;
}

const bytes = (text: string) => Buffer.byteLength(text, 'utf8');

function label(name: unknown, index: number): string {
  return typeof name === 'string' && name.trim() ? `「${name}」` : `#${index + 1}`;
}

/** Every rule the menu breaks (empty: WeChat should accept it). */
export function checkMenu(menu: unknown): MenuProblem[] {
  const problems: MenuProblem[] = [];
  const buttons = (menu as { button?: unknown } | null)?.button;
  if (!Array.isArray(buttons) || buttons.length === 0) {
    return [{ path: 'button', button: 'menu', rule: 'buttons', message: 'has no "button" list (1–3 buttons)' }];
  }
  if (buttons.length > LIMITS.buttons) {
    problems.push({
      path: 'button',
      button: 'menu',
      rule: 'buttons',
      message: `has ${buttons.length} buttons; WeChat allows at most ${LIMITS.buttons}`,
    });
  }
  for (const [index, raw] of buttons.entries()) {
    const top = (raw ?? {}) as MenuButton;
    const where = label(top.name, index);
    const path = `button[${index}]`;
    checkName(top.name, LIMITS.topNameBytes, path, where, problems);
    if (top.sub_button === undefined) {
      checkAction(top, path, where, problems);
      continue;
    }
    const subs = top.sub_button;
    if (!Array.isArray(subs)) {
      problems.push({
        path: `${path}.sub_button`,
        button: where,
        rule: 'sub_button',
        message: 'sub_button must be a list',
      });
      continue;
    }
    if (subs.length > LIMITS.subButtons) {
      problems.push({
        path: `${path}.sub_button`,
        button: where,
        rule: 'sub-buttons',
        message: `has ${subs.length} sub-buttons; WeChat allows at most ${LIMITS.subButtons}`,
      });
    }
    if (subs.length === 0) {
      checkAction(top, path, where, problems);
      continue;
    }
    for (const [subIndex, rawSub] of subs.entries()) {
      const sub = (rawSub ?? {}) as MenuButton;
      const subPath = `${path}.sub_button[${subIndex}]`;
      const subWhere = `${where} → ${label(sub.name, subIndex)}`;
      checkName(sub.name, LIMITS.subNameBytes, subPath, subWhere, problems);
      if (sub.sub_button !== undefined) {
        problems.push({
          path: `${subPath}.sub_button`,
          button: subWhere,
          rule: 'depth',
          message: 'a sub-button cannot have sub-buttons (menus are two levels deep)',
        });
      }
      checkAction(sub, subPath, subWhere, problems);
    }
  }
  return problems;
}

function checkName(name: unknown, maxBytes: number, path: string, where: string, problems: MenuProblem[]): void {
  if (typeof name !== 'string' || name.trim() === '') {
    problems.push({ path: `${path}.name`, button: where, rule: 'name', message: 'needs a name' });
  } else if (bytes(name) > maxBytes) {
    problems.push({
      path: `${path}.name`,
      button: where,
      rule: 'name length',
      message: `name is ${bytes(name)} bytes; WeChat allows at most ${maxBytes} (UTF-8: a Chinese character is 3 bytes)`,
    });
  }
}

function checkAction(button: MenuButton, path: string, where: string, problems: MenuProblem[]): void {
  const problem = (field: string, rule: string, message: string) =>
    problems.push({ path: `${path}.${field}`, button: where, rule, message });
  const { type } = button;
  if (typeof type !== 'string' || !(MENU_TYPES as readonly string[]).includes(type)) {
    problem(
      'type',
      'type',
      `type ${JSON.stringify(type ?? null)} is not one of ${MENU_TYPES.join(', ')} (or give it sub_button)`,
    );
    return;
  }
  const text = (field: string): string | undefined => {
    const value = button[field];
    if (typeof value === 'string' && value.trim() !== '') return value;
    problem(field, field, `type ${type} needs "${field}"`);
    return undefined;
  };
  if (KEYED.has(type)) {
    const key = text('key');
    if (key !== undefined && bytes(key) > LIMITS.keyBytes) {
      problem('key', 'key length', `key is ${bytes(key)} bytes; WeChat allows at most ${LIMITS.keyBytes}`);
    }
  }
  if (type === 'view' || type === 'miniprogram') {
    const url = text('url');
    if (url !== undefined) checkUrl(url, problem);
  }
  if (type === 'miniprogram') {
    text('appid');
    text('pagepath');
  }
  if (type === 'media_id') text('media_id');
  if (type === 'article_id' || type === 'article_view_limited') text('article_id');
}

function checkUrl(url: string, problem: (field: string, rule: string, message: string) => void): void {
  if (bytes(url) > LIMITS.urlBytes) {
    problem('url', 'url length', `url is ${bytes(url)} bytes; WeChat allows at most ${LIMITS.urlBytes}`);
  }
  let protocol = '';
  try {
    protocol = new URL(url).protocol;
  } catch {}
  if (protocol !== 'http:' && protocol !== 'https:') {
    problem('url', 'url scheme', `url ${JSON.stringify(url)} must be a full http:// or https:// address`);
  }
}

/** Every CLICK key in the menu (top-level and sub-buttons), with the button that sends it. */
export function clickKeys(menu: Menu): { key: string; button: string }[] {
  const keys: { key: string; button: string }[] = [];
  menu.button.forEach((top, index) => {
    const where = label(top.name, index);
    if (top.type === 'click' && typeof top.key === 'string') keys.push({ key: top.key, button: where });
    if (Array.isArray(top.sub_button)) {
      (top.sub_button as MenuButton[]).forEach((sub, subIndex) => {
        if (sub.type === 'click' && typeof sub.key === 'string') {
          keys.push({ key: sub.key, button: `${where} → ${label(sub.name, subIndex)}` });
        }
      });
    }
  });
  return keys;
}
