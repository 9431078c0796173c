/**
 * Headless Firefox for the browser tests: Debian's `firefox-esr` package, driven by puppeteer-core over WebDriver
 * BiDi (playwright-core's Firefox needs its own patched build, which this machine cannot download).
 */
import { existsSync } from 'node:fs';
import puppeteer, { type Browser } from 'puppeteer-core';

export const FIREFOX = process.env.FIREFOX_PATH ?? '/usr/bin/firefox-esr';

export async function launchFirefox(): Promise<Browser> {
  if (!existsSync(FIREFOX)) {
    throw new Error(`No Firefox at ${FIREFOX}: apt-get install firefox-esr fonts-noto-cjk (or set FIREFOX_PATH).`);
  }
  return puppeteer.launch({ browser: 'firefox', executablePath: FIREFOX, headless: true });
}
