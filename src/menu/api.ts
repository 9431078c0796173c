/** The menu through the WeChat server API: create (push), read what is live, delete; menu errcodes get menu hints. */
import { WechatApiError } from '../errors.js';
import type { WechatApi } from '../wechat-api/types.js';
import type { Menu, MenuButton } from './rules.js';

/** What WeChat's errcodes mean for a menu, and what to do. */
const MENU_HINTS: Record<number, string> = {
  40016: 'WeChat counts the buttons wrong: 1–3 top-level buttons.',
  40017:
    'A button type is not accepted: use click, view, miniprogram, scancode_*, pic_*, location_select, media_id or article_id.',
  40018: 'A top-level button name is too long: at most 16 bytes (5 Chinese characters).',
  40019: 'A top-level key is too long: at most 128 bytes.',
  40020: 'A top-level url is too long: at most 1024 bytes.',
  40023: 'A button has too many sub-buttons: at most 5.',
  40024: 'A sub-button type is not accepted.',
  40025: 'A sub-button name is too long: at most 60 bytes.',
  40026: 'A sub-button key is too long: at most 128 bytes.',
  40027: 'A sub-button url is too long: at most 1024 bytes.',
  40054: 'A sub-button url is refused: use a full http(s) address on a domain WeChat accepts.',
  40055: 'A button url is refused: use a full http(s) address on a domain WeChat accepts.',
  40166: 'The miniprogram appid is not linked to this account: link it in 公众平台 → 小程序管理 first.',
  46003: 'There is no menu to read or delete (none was created, or it was deleted).',
  48001:
    'This account may not use the menu API: personal subscription accounts (个人订阅号) and some unverified accounts cannot; set the menu in 公众平台 → 自定义菜单 instead.',
  65303: 'There is no default menu: create one first.',
};

/** Rethrows a WeChat API error with the menu's hint when there is one. */
function withMenuHint(error: unknown): never {
  if (error instanceof WechatApiError && MENU_HINTS[error.errcode]) {
    throw new WechatApiError(error.errcode, error.errmsg, { hint: MENU_HINTS[error.errcode] as string, cause: error });
  }
  throw error;
}

export async function pushMenu(api: WechatApi, menu: Menu): Promise<void> {
  await api.call('/cgi-bin/menu/create', { json: menu }).catch(withMenuHint);
}

export async function deleteMenu(api: WechatApi): Promise<void> {
  await api.call('/cgi-bin/menu/delete').catch(withMenuHint);
}

interface SelfMenuButton extends Omit<MenuButton, 'sub_button'> {
  sub_button?: { list?: MenuButton[] } | MenuButton[];
}

interface SelfMenuInfo {
  is_menu_open?: number;
  selfmenu_info?: { button?: SelfMenuButton[] };
}

export interface LiveMenu {
  /** False when the account has no menu, or its menu is turned off. */
  open: boolean;
  menu: Menu;
}

/** The menu users see now (get_current_selfmenu_info), in the shape menu/create takes. */
export async function currentMenu(api: WechatApi): Promise<LiveMenu> {
  const info = await api.call<SelfMenuInfo>('/cgi-bin/get_current_selfmenu_info').catch(withMenuHint);
  const button = (info.selfmenu_info?.button ?? []).map((raw): MenuButton => {
    const { sub_button: subs, ...rest } = raw;
    if (subs === undefined) return rest;
    return { ...rest, sub_button: Array.isArray(subs) ? subs : (subs.list ?? []) };
  });
  return { open: info.is_menu_open === 1 && button.length > 0, menu: { button } };
}
