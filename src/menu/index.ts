/** The custom menu (自定义菜单): WeChat's rules, loading, and the menu API calls. */
export { currentMenu, deleteMenu, type LiveMenu, pushMenu } from './api.js';
export { type LoadedMenu, readMenuFile, unansweredClicks, validMenu } from './load.js';
export { checkMenu, clickKeys, LIMITS, MENU_TYPES, type Menu, type MenuButton, type MenuProblem } from './rules.js';
