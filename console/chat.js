// The phone-like chat pane: the user's messages, WeChat's retries and the replies as WeChat shows them.
import { clock, h } from './dom.js';

/** What WeChat shows when an account's server fails it. */
const ERROR_PAGE = '该公众号暂时无法提供服务，请稍后再试';

function bubble(from, ...content) {
  return h(
    'li',
    { class: `bubble ${from}`, 'data-testid': 'chat-message', dataset: { from } },
    h('span', { class: 'avatar', 'aria-hidden': 'true' }, from === 'user' ? '我' : '公'),
    h('div', { class: 'body' }, ...content),
  );
}

function replyContent(reply) {
  switch (reply.type) {
    case 'text':
      return [h('p', { class: 'text' }, reply.content)];
    case 'news':
      return reply.articles.map((article) =>
        h(
          'a',
          { class: 'news', href: article.url || undefined, target: '_blank', rel: 'noreferrer noopener' },
          article.picUrl ? h('img', { src: article.picUrl, alt: '' }) : null,
          h('strong', {}, article.title),
          article.description ? h('span', {}, article.description) : null,
        ),
      );
    case 'image':
      return [h('p', { class: 'text media' }, `[图片] ${reply.mediaId}`)];
    case 'voice':
      return [h('p', { class: 'text media' }, `[语音] ${reply.mediaId}`)];
    case 'video':
      return [h('p', { class: 'text media' }, `[视频] ${reply.title || reply.mediaId}`)];
    case 'music':
      return [h('p', { class: 'text media' }, `[音乐] ${reply.title || ''}`)];
    default:
      return [h('p', { class: 'text media' }, `[${reply.type}]`)];
  }
}

/** Renders one user's conversation into `list`, as WeChat would show it. */
export function renderConversation(list, entries, timeoutSeconds) {
  const nearBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 80;
  const items = [];
  for (const entry of entries) {
    items.push(h('li', { class: 'time' }, clock(entry.at), entry.origin?.kind === 'replay' ? ' · replayed' : ''));
    const sent =
      entry.sent.kind === 'image'
        ? [h('img', { src: entry.sent.text, alt: 'image sent' }), h('p', { class: 'caption' }, entry.sent.text)]
        : entry.sent.kind === 'event'
          ? [h('p', { class: 'text event' }, entry.sent.text)]
          : [h('p', { class: 'text' }, entry.sent.text)];
    items.push(bubble('user', ...sent));
    for (const n of entry.retries) {
      items.push(
        h(
          'li',
          { class: 'notice retry', 'data-testid': 'retry-marker' },
          `No answer within ${timeoutSeconds} s: WeChat retries… (attempt ${n + 1})`,
        ),
      );
    }
    if (entry.pending) items.push(h('li', { class: 'notice typing' }, '对方正在输入…'));
    if (entry.verdict && !entry.verdict.ok) {
      items.push(h('li', { class: 'notice error', title: entry.verdict.problems.join('\n') }, ERROR_PAGE));
    } else if (entry.reply && entry.reply.type !== 'success') {
      items.push(bubble('bot', ...replyContent(entry.reply)));
    } else if (entry.reply) {
      items.push(h('li', { class: 'notice' }, 'success: nothing shown'));
    }
    if (entry.late && (entry.late.how === 'push' || entry.late.how === 'push-failed')) {
      items.push(bubble('bot', h('p', { class: 'text' }, entry.late.replyPreview)));
    }
  }
  list.replaceChildren(...items);
  if (nearBottom || items.length < 12) list.scrollTop = list.scrollHeight;
}
