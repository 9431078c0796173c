// The console page's small DOM and fetch helpers.

export const API = '/_console/api';

export const $ = (id) => document.getElementById(id);

/** h('li', { class: 'x', dataset: { from: 'bot' } }, 'text', child…) */
export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === false) continue;
    if (name === 'dataset') Object.assign(element.dataset, value);
    else if (name.startsWith('on')) element.addEventListener(name.slice(2), value);
    else element.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return element;
}

/** Children for replaceChildren: nested lists flattened, null/undefined/false dropped. */
export const nodes = (...items) =>
  items.flat(2).filter((item) => item !== undefined && item !== null && item !== false);

export async function api(path, body) {
  const response = await fetch(`${API}/${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const data = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(data.error || `HTTP ${response.status}`);
  return data;
}

export const clock = (ms) => new Date(ms).toLocaleTimeString('en-GB', { hour12: false });
export const seconds = (ms) => (ms === undefined ? '—' : `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`);
export const shortUser = (openid) => (openid.length <= 12 ? openid : `${openid.slice(0, 6)}…${openid.slice(-4)}`);

/** A debounced call, so a burst of events renders once. */
export function soon(fn, ms = 80) {
  let timer;
  return () => {
    clearTimeout(timer);
    timer = setTimeout(fn, ms);
  };
}
