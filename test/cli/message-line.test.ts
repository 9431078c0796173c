import { describe, expect, it } from 'vitest';
import type { MessageRecord } from '../../src/bot/types.js';
import { formatMessageLine, messageEvent } from '../../src/cli/serve/message-line.js';
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
