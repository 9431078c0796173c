// The dev console in headless Chromium against the real CLI: `serve --json` with the fake model server, WeChat's real
// timing (5 s per attempt). Chat, timeline, detail, replay, and a 7 s answer that arrives on WeChat's second attempt.
// With UPDATE_SCREENSHOTS=1 it also writes the README's screenshots to docs/.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from './chromium.js';
import { AES_KEY, API_KEY, type ConsoleServer, SLOW, SLOW_ANSWER, startConsoleServer } from './console-server.js';
import { crossSiteAttempts } from './cross-site.js';
import { DETAIL_GAP } from './layout.js';

const screenshots = process.env.UPDATE_SCREENSHOTS === '1';
const docs = new URL('../../docs/', import.meta.url);

let server: ConsoleServer;
let consoleUrl: string;
let browser: Browser;
let page: Page;
/** The MsgId of the chatted question, as the timeline showed it. */
let chattedMsgId: string | null = null;

beforeAll(async () => {
  server = await startConsoleServer();
  consoleUrl = server.consoleUrl;
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

async function shoot(name: string): Promise<void> {
  if (screenshots) await page.screenshot({ path: new URL(name, docs).pathname });
}

const botMessages = () => page.locator('[data-testid="chat-message"][data-from="bot"]');

describe('the dev console in Chromium', () => {
  it('opens from the printed URL, then holds the secret in a cookie and not in the address', async () => {
    expect(consoleUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/_console\/\?secret=[\w-]{32}$/);
    await page.goto(consoleUrl);
    expect(page.url()).toBe(consoleUrl.replace(/\?secret=.*$/, ''));
    await expect.poll(() => page.locator('body').getAttribute('data-live')).toBe('true');
  });

  it('chats: a text, 关注 and a menu CLICK get their replies as WeChat shows them', async () => {
    await page.getByRole('button', { name: 'Send 关注 (subscribe)' }).click();
    await expect.poll(() => botMessages().count()).toBe(1);
    await page.getByTestId('chat-input').fill('你好，介绍一下你自己');
    await page.getByTestId('chat-send').click();
    await expect
      .poll(() => botMessages().last().textContent())
      .toContain('你好！我是公众号里的 AI 助手。你问的是「你好，介绍一下你自己」');
    await expect
      .poll(() => page.locator('[data-testid="chat-message"][data-from="user"]').last().textContent())
      .toContain('你好，介绍一下你自己');
    await page.getByLabel('Menu CLICK key').fill('ABOUT');
    await page.getByRole('button', { name: 'Click', exact: true }).click();
    await expect.poll(() => page.locator('.news strong').last().textContent()).toBe('关于我们：一个接入大模型的公众号');
    await shoot('console-chat.png');
  });

  it('shows each message once on the timeline, with its attempts and both XML documents', async () => {
    await page.getByRole('tab', { name: 'Timeline' }).click();
    const rows = page.getByTestId('timeline-row');
    await expect.poll(() => rows.count()).toBe(3);
    const row = rows.filter({ hasText: '你好，介绍一下你自己' });
    const msgId = await row.getAttribute('data-msgid');
    expect(msgId).toMatch(/^\d{18,19}$/);
    chattedMsgId = msgId;
    await expect.poll(() => row.textContent()).toContain('attempt 1');
    await row.click();
    const attempts = page.getByTestId('detail-attempt');
    await expect.poll(() => attempts.count()).toBe(1);
    const inbound = attempts.locator('details', { hasText: 'Inbound XML (decrypted)' }).locator('pre');
    expect(await inbound.textContent()).toContain('<Content><![CDATA[你好，介绍一下你自己]]></Content>');
    expect(await inbound.textContent()).toContain(`<MsgId>${msgId}</MsgId>`);
    const reply = attempts.locator('details', { hasText: 'Reply XML' }).locator('pre');
    expect(await reply.textContent()).toContain('<MsgType><![CDATA[text]]></MsgType>');
    expect(await reply.textContent()).toContain('你好！我是公众号里的 AI 助手。');
    // The model call, with what was sent (the system prompt and the question), never the key.
    await expect.poll(() => page.getByTestId('model-call').textContent()).toContain('gpt-4o-mini');
    expect(await page.getByTestId('model-call').textContent()).toContain('你好，介绍一下你自己');
    await shoot('console-timeline.png');
  });

  it('shows the knowledge base passages a question retrieved, with their scores', async () => {
    await page.getByRole('tab', { name: 'Chat' }).click();
    await page.getByTestId('chat-input').fill('周六和周日几点开门？');
    await page.getByTestId('chat-send').click();
    await expect.poll(() => botMessages().last().textContent()).toContain('来源：营业时间');
    await page.getByRole('tab', { name: 'Timeline' }).click();
    await page.getByTestId('timeline-row').filter({ hasText: '周六和周日几点开门' }).click();
    await expect.poll(() => page.getByTestId('kb-retrieval').textContent()).toContain('Knowledge base');
    expect(await page.getByTestId('kb-passage').first().textContent()).toMatch(/^0\.\d{3} 营业时间 /);
    // Back to the chatted message, which the next tests replay.
    await page.getByTestId('timeline-row').filter({ hasText: '你好，介绍一下你自己' }).click();
    await expect.poll(() => page.getByTestId('model-call').textContent()).toContain('你好，介绍一下你自己');
  });

  it('replays a message with a fresh MsgId: a new row, answered again', async () => {
    const before = await page.getByTestId('timeline-row').count();
    await page.getByTestId('replay').click();
    const replayed = page.locator('[data-testid="timeline-row"]', { hasText: 'replay' });
    await expect.poll(() => replayed.count()).toBe(1);
    expect(await page.getByTestId('timeline-row').count()).toBe(before + 1);
    await expect.poll(() => replayed.textContent()).toContain('attempt 1');
    expect(await replayed.getAttribute('data-msgid')).toMatch(/^\d{18,19}$/);
    expect(await replayed.getAttribute('data-msgid')).not.toBe(chattedMsgId);
  });

  it('a 7 s answer: WeChat drops attempt 1 at 5 s, retries, and the answer arrives on attempt 2', async () => {
    await page.getByRole('tab', { name: 'Chat' }).click();
    const answered = await botMessages().count();
    await page.getByTestId('chat-input').fill(`请${SLOW}慢回答`);
    await page.getByTestId('chat-input').press('Enter');
    await expect
      .poll(() => page.getByTestId('retry-marker').last().textContent(), { timeout: 9000 })
      .toContain('WeChat retries… (attempt 2)');
    await shoot('console-retry.png');
    await expect.poll(() => botMessages().count(), { timeout: 9000 }).toBe(answered + 1);
    expect(await botMessages().last().textContent()).toContain(SLOW_ANSWER);

    await page.getByRole('tab', { name: 'Timeline' }).click();
    const row = page.locator('[data-testid="timeline-row"]', { hasText: '请慢慢回答' });
    await expect.poll(() => row.textContent()).toContain('attempt 2');
    await row.click();
    const attempts = page.getByTestId('detail-attempt');
    await expect.poll(() => attempts.count()).toBe(2);
    expect(await attempts.first().textContent()).toContain('no response (WeChat hung up)');
    expect(await attempts.last().textContent()).toContain('HTTP 200');
    await shoot('console-slow-detail.png');
  });

  it('shows the store state and never a secret', async () => {
    await page.getByRole('tab', { name: 'State' }).click();
    await expect.poll(() => page.getByTestId('state-user').count()).toBeGreaterThan(0);
    await page.getByTestId('state-user').first().locator('summary').click();
    expect(await page.getByTestId('state-user').first().textContent()).toContain(SLOW_ANSWER);
    await shoot('console-state.png');
    for (const view of ['Chat', 'Timeline', 'State']) {
      await page.getByRole('tab', { name: view }).click();
      const html = await page.content();
      expect(html).not.toContain(API_KEY);
      expect(html).not.toContain(AES_KEY);
    }
  });

  it('reads on a narrow window: nothing wider than the screen', async () => {
    await page.setViewportSize({ width: 400, height: 860 });
    for (const view of ['Chat', 'Timeline', 'State']) {
      await page.getByRole('tab', { name: view }).click();
      expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(400);
    }
    await page.getByRole('tab', { name: 'Timeline' }).click();
    // The open detail follows the rows, not a screen below them.
    const gap = await page.evaluate<number>(DETAIL_GAP);
    expect(gap).toBeGreaterThan(0);
    expect(gap).toBeLessThan(40);
    await shoot('console-narrow.png');
    await page.setViewportSize({ width: 1280, height: 860 });
  });

  it('a page of another site cannot read or drive the console', async () => {
    const other = await browser.newPage();
    await other.goto('about:blank');
    const base = new URL(consoleUrl).origin;
    const results = await other.evaluate(crossSiteAttempts, base);
    expect(results[0]).toBe('blocked');
    await other.close();
    await page.getByRole('tab', { name: 'Timeline' }).click();
    expect(await page.locator('[data-testid="timeline-row"]', { hasText: 'pwned' }).count()).toBe(0);
  });
});
