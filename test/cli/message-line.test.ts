import { describe, expect, it } from 'vitest';
import type { MessageRecord } from '../../src/bot/types.js';
import { formatMessageLine, messageEvent } from '../../src/cli/serve/message-line.js';
import { displayWidth } from '../../src/cli/text-width.js';
import { createTheme } from '../../src/cli/theme.js';

const theme = createTheme(0);
const base: MessageRecord = {
  time: Date.UTC(2026, 10, 25, 2, 3, 4),
  openid: 'oSimUser00000000000000000001',
  messageType: 'text',
  preview: '讲个长故事',
  replyType: 'success',
  replyPreview: '',
  attempt: 1,
  delivery: 'push',
  latencyMs: 4510,
};

describe('serve message lines for active delivery', () => {
  it('says the answer follows by push, then shows the pushed answer with its delivery', () => {
    const pending = formatMessageLine({ ...base, source: 'push-pending' }, theme);
    expect(pending).toContain('success now, the answer follows by push');
    expect(pending).toMatch(/4\.51 s\s+push$/);

    const pushed = formatMessageLine(
      {
        ...base,
        messageType: 'push',
        replyType: 'text',
        replyPreview: '从前有座山',
        latencyMs: 12_300,
        source: 'pushed',
        pushedPages: 3,
      },
      theme,
    );
    expect(pushed).toMatch(/text 从前有座山.*12\.3 s\s+push\s+\(pushed 3 messages\)/);
  });

  it('shows a push that fell back to the outbox with its errcode', () => {
    const failed = {
      ...base,
      replyType: 'text' as const,
      replyPreview: '答案',
      delivery: 'outbox' as const,
      source: 'push-failed' as const,
      error: 'errcode 45015',
    };
    expect(formatMessageLine(failed, theme)).toMatch(/outbox\s+\(push-failed, errcode 45015\)/);
    expect(messageEvent(failed)).toMatchObject({ event: 'message', delivery: 'outbox', error: 'errcode 45015' });
  });
});

describe('serve message lines are coloured by what the user waited', () => {
  const colour = createTheme(1);
  const green = colour.success('x').split('x')[0] as string;
  const red = colour.error('x').split('x')[0] as string;
  const answered = { ...base, replyType: 'text' as const, replyPreview: '答案', latencyMs: 2020 };

  it('attempt 2 after 2.02 s: red, the user waited about 7 s', () => {
    const retry = formatMessageLine({ ...answered, delivery: 'retry', attempt: 2 }, colour);
    expect(retry).toContain(`${red} 2.02 s`);
    expect(retry).toMatch(/attempt 2 .*\(user waited 7\.02 s\)/);
    const compressed = formatMessageLine({ ...answered, delivery: 'retry', attempt: 2 }, theme, {
      wechatTimeoutMs: 500,
    });
    expect(compressed).toContain('(user waited 2.52 s)');
  });

  it('attempt 1 after 2.02 s: green, nothing added', () => {
    const first = formatMessageLine({ ...answered, delivery: 'passive', attempt: 1 }, colour);
    expect(first).toContain(`${green} 2.02 s`);
    expect(first).not.toContain('waited');
  });
});

describe('serve message lines on a narrow terminal', () => {
  const colours = createTheme(3);
  const long: MessageRecord = {
    ...base,
    messageType: 'event:subscribe',
    preview: '请帮我写一篇关于人工智能在医疗领域应用的长文章，越详细越好',
    replyType: 'text',
    replyPreview: '人工智能在医疗领域的应用包括影像诊断、药物研发、个性化治疗等多个方面。',
    delivery: 'retry',
    attempt: 3,
    latencyMs: 2130,
    source: 'keyword',
    error: 'errcode 45015',
  };

  it('fits 80 columns (and 60, 40) by cutting the previews, never wrapping; colour codes do not count', () => {
    for (const width of [80, 60, 40]) {
      for (const record of [
        long,
        { ...base, source: 'push-pending' as const },
        { ...long, delivery: 'dropped' as const },
      ]) {
        for (const theme of [createTheme(0), colours]) {
          const line = formatMessageLine(record, theme, { width });
          expect(displayWidth(line), `${width}: ${line}`).toBeLessThanOrEqual(width);
        }
      }
    }
    const at80 = formatMessageLine(long, createTheme(0), { width: 80 });
    expect(at80).toMatch(/^02:03:04 oSimUs…0001 event subscribe 请帮我.*… +→ text 人工.*… +2\.13 s attempt 3$/);
  });

  it('keeps the whole line on a wide terminal, or when the width is unknown (a pipe)', () => {
    const wide = formatMessageLine(long, createTheme(0), { width: 200 });
    expect(wide).toBe(formatMessageLine(long, createTheme(0)));
    expect(wide).toContain('(user waited 12.1 s)');
    expect(wide).toContain('(keyword, errcode 45015)');
  });
});
