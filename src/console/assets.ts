/**
 * The console page's files, shipped in the package's console/ folder (next to dist/ and src/, so the same path works
 * from either): plain HTML, CSS and an ES module, no CDN and no build step.
 */
import { readFileSync } from 'node:fs';

const FILES = {
  'index.html': 'text/html; charset=utf-8',
  'app.js': 'text/javascript; charset=utf-8',
  'chat.js': 'text/javascript; charset=utf-8',
  'detail.js': 'text/javascript; charset=utf-8',
  'dom.js': 'text/javascript; charset=utf-8',
  'style.css': 'text/css; charset=utf-8',
} as const;

export type AssetName = keyof typeof FILES;

export interface Asset {
  body: Buffer;
  contentType: string;
}

const root = new URL('../../console/', import.meta.url);
const cache = new Map<AssetName, Asset>();

export function isAsset(name: string): name is AssetName {
  return Object.hasOwn(FILES, name);
}

export function asset(name: AssetName): Asset {
  let found = cache.get(name);
  if (!found) {
    found = { body: readFileSync(new URL(name, root)), contentType: FILES[name] };
    cache.set(name, found);
  }
  return found;
}
