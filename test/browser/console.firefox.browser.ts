// The dev console in headless Firefox (Debian's firefox-esr, driven by puppeteer-core over WebDriver BiDi) against the
// same real CLI as the Chromium suite: chat, the timeline with its attempts, the detail's XML, replay, the keyboard,
// a narrow window, a 7 s answer that arrives on WeChat's second attempt, another site refused, and no script error.
// With UPDATE_SCREENSHOTS=1 it also writes docs/console-firefox.png.
import type { Browser, Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AES_KEY,
  API_KEY,
  type ConsoleServer,
  quickAnswer,
  SLOW,
  SLOW_ANSWER,
  startConsoleServer,
} from './console-server.js';
import { crossSiteAttempts } from './cross-site.js';
import { launchFirefox, setViewport } from './firefox.js';
import { DETAIL_GAP, PAGE_WIDTH } from './layout.js';

const screenshots = process.env.UPDATE_SCREENSHOTS === '1';
const docs = new URL('../../docs/', import.meta.url);
const QUESTION = '你好，火狐浏览器里也能聊吗？';

let server: ConsoleServer;
let browser: Browser;
let page: Page;
/** The MsgId of the chatted question, as the timeline showed it. */
let chattedMsgId: string | undefined;
/** Script errors and console errors of the console page: Firefox must run it without any. */
const pageErrors: string[] = [];

beforeAll(async () => {
  browser = await launchFirefox();
  server = await startConsoleServer();
  page = await browser.newPage();
  page.on('pageerror', (error) => pageErrors.push(String(error)));
  page.on('console', (message) => {
    if (message.type() === 'error') pageErrors.push(message.text());
  });
  await setViewport(page, 1280, 860);
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

/** The text of every element that matches `selector`, in document order. */
const texts = (selector: string) =>
  page.$$eval(selector, (elements) => elements.map((element) => element.textContent ?? ''));
const count = async (selector: string) => (await texts(selector)).length;
const lastText = async (selector: string) => (await texts(selector)).at(-1) ?? '';

const BOT = '[data-testid="chat-message"][data-from="bot"]';
const USER = '[data-testid="chat-message"][data-from="user"]';
const ROW = '[data-testid="timeline-row"]';
const ATTEMPT = '[data-testid="detail-attempt"]';

async function showTab(view: 'chat' | 'timeline' | 'state'): Promise<void> {
  await page.click(`#tab-${view}`);
  await expect.poll(() => page.$eval(`#view-${view}`, (section) => section.hasAttribute('hidden'))).toBe(false);
}

/** The timeline row whose text contains `text`: its selector (by the row's id) and its MsgId. */
async function rowWith(text: string): Promise<{ selector: string; msgId: string } | undefined> {
  const found = await page.$$eval(
    ROW,
    (rows, wanted) => {
      const row = rows.find((element) => element.textContent?.includes(wanted));
      return row ? { id: row.getAttribute('data-id') ?? '', msgId: row.getAttribute('data-msgid') ?? '' } : undefined;
    },
    text,
  );
  return found && { selector: `${ROW}[data-id=${JSON.stringify(found.id)}]`, msgId: found.msgId };
}

/** The `<pre>` of each attempt's XML block titled `title`. */
const xmlOf = (title: string) =>
  page.$$eval(
    `${ATTEMPT} details`,
    (blocks, wanted) =>
      blocks
        .filter((block) => block.querySelector('summary')?.textContent === wanted)
        .map((block) => block.querySelector('pre')?.textContent ?? ''),
    title,
  );

describe('the dev console in Firefox', () => {
  it('opens from the printed URL and goes live over Server-Sent Events', async () => {
    await page.goto(server.consoleUrl);
    expect(page.url()).toBe(server.consoleUrl.replace(/\?secret=.*$/, ''));
    await expect.poll(() => page.$eval('body', (body) => body.dataset.live)).toBe('true');
    expect(await browser.userAgent()).toContain('Firefox/');
  });

  it('chats: a message typed and sent gets the bot’s reply', async () => {
    await page.type('[data-testid="chat-input"]', QUESTION);
    await page.click('[data-testid="chat-send"]');
    await expect.poll(() => lastText(USER)).toContain(QUESTION);
    await expect.poll(() => lastText(BOT)).toContain(quickAnswer(QUESTION));
    expect(await page.evaluate("document.getElementById('chat-input').value")).toBe('');
    // The side log beside the phone shows how the answer was delivered.
    await expect.poll(() => texts('#side-log .log-entry')).toEqual([expect.stringContaining('attempt 1')]);
  });

  it('shows the message once on the timeline, with its attempt and both XML documents', async () => {
    await showTab('timeline');
    await expect.poll(() => count(ROW)).toBe(1);
    const row = await rowWith(QUESTION);
    expect(row?.msgId).toMatch(/^\d{18,19}$/);
    chattedMsgId = row?.msgId;
    await expect
      .poll(async () => page.$eval(row?.selector ?? ROW, (element) => element.textContent))
      .toContain('attempt 1');
    await page.click(row?.selector ?? ROW);
    await expect.poll(() => count(ATTEMPT)).toBe(1);
    expect(await lastText(ATTEMPT)).toContain('HTTP 200');
    const [inbound] = await xmlOf('Inbound XML (decrypted)');
    expect(inbound).toContain(`<Content><![CDATA[${QUESTION}]]></Content>`);
    expect(inbound).toContain(`<MsgId>${chattedMsgId}</MsgId>`);
    const [reply] = await xmlOf('Reply XML');
    expect(reply).toContain('<MsgType><![CDATA[text]]></MsgType>');
    expect(reply).toContain(quickAnswer(QUESTION));
    await expect.poll(() => lastText('[data-testid="model-call"]')).toContain('gpt-4o-mini');
  });

  it('replays the message with a fresh MsgId: a new row, answered again', async () => {
    await page.click('[data-testid="replay"]');
    await expect.poll(() => count(ROW)).toBe(2);
    const replayed = await rowWith('replay');
    expect(replayed?.msgId).toMatch(/^\d{18,19}$/);
    expect(replayed?.msgId).not.toBe(chattedMsgId);
    await expect.poll(async () => (await rowWith('replay'))?.selector).toBeDefined();
    await expect.poll(() => lastText(`${ROW}[data-msgid="${replayed?.msgId}"]`)).toContain('attempt 1');
  });

  it('is usable from the keyboard: Tab reaches the chat input, Enter sends, Enter on a row opens it', async () => {
    await showTab('chat');
    const answered = await count(BOT);
    await page.evaluate('document.activeElement?.blur()');
    let focused = '';
    for (let presses = 0; presses < 20 && focused !== 'chat-input'; presses++) {
      await page.keyboard.press('Tab');
      focused = String(await page.evaluate("document.activeElement?.id ?? ''"));
    }
    expect(focused).toBe('chat-input');
    await page.keyboard.type('键盘发送');
    await page.keyboard.press('Enter');
    await expect.poll(() => count(BOT)).toBe(answered + 1);
    expect(await lastText(BOT)).toContain(quickAnswer('键盘发送'));

    await showTab('timeline');
    await expect.poll(() => rowWith('键盘发送')).toBeTruthy();
    const row = await rowWith('键盘发送');
    await page.focus(row?.selector ?? ROW);
    await page.keyboard.press('Enter');
    await expect.poll(() => page.$eval('#detail', (detail) => detail.textContent)).toContain('键盘发送');
  });

  it('a 7 s answer: WeChat drops attempt 1 at 5 s, retries, and the answer arrives on attempt 2', async () => {
    await showTab('chat');
    const answered = await count(BOT);
    await page.type('[data-testid="chat-input"]', `请${SLOW}慢回答`);
    await page.keyboard.press('Enter');
    await expect
      .poll(() => lastText('[data-testid="retry-marker"]'), { timeout: 9000 })
      .toContain('WeChat retries… (attempt 2)');
    await expect.poll(() => count(BOT), { timeout: 9000 }).toBe(answered + 1);
    expect(await lastText(BOT)).toContain(SLOW_ANSWER);

    await showTab('timeline');
    await expect.poll(async () => (await rowWith('请慢慢回答')) !== undefined).toBe(true);
    const row = await rowWith('请慢慢回答');
    await expect.poll(() => page.$eval(row?.selector ?? ROW, (element) => element.textContent)).toContain('attempt 2');
    await page.click(row?.selector ?? ROW);
    await expect.poll(() => count(ATTEMPT)).toBe(2);
    const attempts = await texts(ATTEMPT);
    expect(attempts[0]).toContain('no response (WeChat hung up)');
    expect(attempts[1]).toContain('HTTP 200');
    if (screenshots) {
      // The README's Firefox screenshot: the conversation with its retry marker, and what the webhook saw beside it.
      await showTab('chat');
      await page.screenshot({ path: new URL('console-firefox.png', docs).pathname });
    }
  });

  it('reads on a narrow window (390 px): nothing wider than the screen, and never a secret', async () => {
    await setViewport(page, 390, 844);
    for (const view of ['chat', 'timeline', 'state'] as const) {
      await showTab(view);
      if (view === 'state') await expect.poll(() => count('[data-testid="state-user"]')).toBeGreaterThan(0);
      expect(Number(await page.evaluate(PAGE_WIDTH))).toBeLessThanOrEqual(390);
      if (view === 'timeline') {
        // The open detail follows the rows, not a screen below them.
        const gap = Number(await page.evaluate(DETAIL_GAP));
        expect(gap).toBeGreaterThan(0);
        expect(gap).toBeLessThan(40);
      }
      const html = await page.content();
      expect(html).not.toContain(API_KEY);
      expect(html).not.toContain(AES_KEY);
    }
    await setViewport(page, 1280, 860);
  });
  it('a page of another site cannot read or drive the console', async () => {
    const other = await browser.newPage();
    await other.goto('about:blank');
    const outcomes = await other.evaluate(crossSiteAttempts, new URL(server.consoleUrl).origin);
    expect(outcomes[0]).toBe('blocked');
    await other.close();
    await showTab('timeline');
    expect(await rowWith('pwned')).toBeUndefined();
  });

  it('ran without a script error or a console error', () => {
    expect(pageErrors).toEqual([]);
  });
});
