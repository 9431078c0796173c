/**
 * Headless Firefox for the browser tests: Debian's `firefox-esr` package, driven by puppeteer-core over WebDriver
 * BiDi (playwright-core's Firefox needs its own patched build, which this machine cannot download).
 */
import { existsSync } from 'node:fs';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';

export const FIREFOX = process.env.FIREFOX_PATH ?? '/usr/bin/firefox-esr';

export async function launchFirefox(): Promise<Browser> {
  if (!existsSync(FIREFOX)) {
    throw new Error(`No Firefox at ${FIREFOX}: apt-get install firefox-esr fonts-noto-cjk (or set FIREFOX_PATH).`);
  }
  return puppeteer.launch({ browser: 'firefox', executablePath: FIREFOX, headless: true });
}

/**
 * `page.setViewport` for Firefox. Puppeteer sends BiDi's emulation.setScreenOrientationOverride beside the viewport
 * command, and some firefox-esr builds (140.12 in Debian) do not know it: the viewport is set all the same, so that
 * refusal alone is tolerated, and the page is waited for until it has the width asked for.
 */
export async function setViewport(page: Page, width: number, height: number): Promise<void> {
  try {
    await page.setViewport({ width, height });
  } catch (error) {
    if (!(error instanceof Error) || !error.message.includes('setScreenOrientationOverride')) throw error;
  }
  // Polled with evaluate: waitForFunction builds its poller with eval, which the console's CSP refuses.
  for (let tries = 0; ; tries++) {
    const now = await page.evaluate(() => (globalThis as unknown as { innerWidth: number }).innerWidth);
    if (now === width) return;
    if (tries >= 50) throw new Error(`The page is ${now} px wide, not ${width}, after setViewport.`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
