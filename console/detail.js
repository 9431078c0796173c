// The message detail pane: facts, replay, each attempt with its XML, the model calls.
import { api, clock, h, nodes, seconds } from './dom.js';

function xmlBlock(title, text, open = true) {
  if (text === undefined) return null;
  return h('details', { class: 'xml', open }, h('summary', {}, title), h('pre', {}, text));
}

/** Renders a message's detail into `article`; onReplay(id) is told the replayed message's id. */
export function renderDetail(article, detail, { onReplay, onClose }) {
  const { summary } = detail;
  const replay = (sameMsgId) => async () => {
    const { id } = await api('replay', { id: summary.id, sameMsgId });
    onReplay(id);
  };
  article.replaceChildren(
    ...nodes(
      h(
        'header',
        {},
        h('h2', {}, `${summary.type} · ${summary.preview || summary.id}`),
        h('button', { type: 'button', class: 'close', 'aria-label': 'Close the detail', onclick: onClose }, '×'),
      ),
      h(
        'dl',
        { class: 'facts' },
        h('dt', {}, 'User'),
        h('dd', {}, summary.openid),
        h('dt', {}, summary.msgId ? 'MsgId' : 'Key'),
        h('dd', {}, summary.msgId || summary.id),
        h('dt', {}, 'Delivery'),
        h('dd', {}, summary.path),
        h('dt', {}, 'Waited'),
        h('dd', {}, seconds(summary.latencyMs)),
        summary.source ? [h('dt', {}, 'Source'), h('dd', {}, summary.source)] : null,
        summary.origin?.kind === 'replay' ? [h('dt', {}, 'Replay of'), h('dd', {}, summary.origin.of)] : null,
      ),
      h(
        'div',
        { class: 'replay' },
        h('button', { type: 'button', 'data-testid': 'replay', onclick: replay(false) }, 'Replay (new MsgId)'),
        h(
          'button',
          { type: 'button', 'data-testid': 'replay-same', onclick: replay(true) },
          'Replay (same MsgId: dedupe)',
        ),
      ),
      detail.verdict?.problems.length
        ? h('ul', { class: 'problems' }, ...detail.verdict.problems.map((problem) => h('li', {}, problem)))
        : null,
      detail.late
        ? h(
            'p',
            { class: 'late' },
            `Delivered later by ${detail.late.how} after ${seconds(detail.late.latencyMs)}: ${detail.late.replyPreview}`,
          )
        : null,
      h('h3', {}, `Attempts (${detail.attempts.length})`),
      ...detail.attempts.map((attempt, index) =>
        h(
          'section',
          { class: 'attempt', 'data-testid': 'detail-attempt', dataset: { attempt: attempt.n } },
          h(
            'h4',
            {},
            `Attempt ${attempt.n} · ${clock(attempt.receivedAt)} · ${seconds(attempt.latencyMs)} · `,
            attempt.status === undefined ? 'no response (WeChat hung up)' : `HTTP ${attempt.status}`,
            attempt.delivery ? ` · ${attempt.delivery}` : '',
            attempt.source ? ` · ${attempt.source}` : '',
          ),
          attempt.error ? h('p', { class: 'error' }, attempt.error) : null,
          attempt.problems.length
            ? h('ul', { class: 'problems' }, ...attempt.problems.map((problem) => h('li', {}, problem)))
            : null,
          // Every attempt carries the same message: open it once.
          xmlBlock('Inbound XML (decrypted)', attempt.inboundXml, index === 0),
          xmlBlock('Reply XML', attempt.replyXml),
          xmlBlock(attempt.encrypted ? 'Request body (encrypted envelope)' : 'Request body', attempt.body, false),
          attempt.encrypted ? xmlBlock('Response as written (encrypted)', attempt.responseBody, false) : null,
          h(
            'details',
            { class: 'xml' },
            h('summary', {}, 'Query string'),
            h('pre', {}, attempt.query.split('&').join('\n')),
          ),
        ),
      ),
      ...(detail.retrievals || []).map((retrieval) =>
        h(
          'section',
          { class: 'model-call', 'data-testid': 'kb-retrieval' },
          h(
            'h4',
            {},
            `Knowledge base · ${retrieval.passages.length} passage${retrieval.passages.length === 1 ? '' : 's'}`,
            ` · embed ${seconds(retrieval.embedMs)} · search ${seconds(retrieval.searchMs)}`,
          ),
          retrieval.error ? h('p', { class: 'error' }, retrieval.error) : null,
          h(
            'ol',
            { class: 'llm-messages' },
            ...retrieval.passages.map((passage) =>
              h(
                'li',
                { 'data-testid': 'kb-passage' },
                h('b', {}, `${passage.score.toFixed(3)} ${passage.title}`),
                ' ',
                passage.text,
              ),
            ),
          ),
        ),
      ),
      detail.modelCalls.length ? h('h3', {}, `Model calls (${detail.modelCalls.length})`) : null,
      ...detail.modelCalls.map((call) =>
        h(
          'section',
          { class: 'model-call', 'data-testid': 'model-call' },
          h(
            'h4',
            {},
            `${call.kind} · ${call.model} · ${seconds(call.latencyMs)}`,
            call.usage ? ` · ${call.usage.promptTokens} + ${call.usage.completionTokens} tokens` : '',
            call.finishReason ? ` · ${call.finishReason}` : '',
          ),
          call.error ? h('p', { class: 'error' }, call.error) : null,
          h(
            'ol',
            { class: 'llm-messages' },
            ...(call.messages || []).map((message) =>
              h(
                'li',
                {},
                h('b', {}, message.role),
                ' ',
                typeof message.content === 'string'
                  ? message.content
                  : message.content
                      .map((part) => (part.type === 'text' ? part.text : `[image ${part.imageUrl}]`))
                      .join(' '),
              ),
            ),
            call.answer ? h('li', { class: 'answer' }, h('b', {}, 'answer'), ' ', call.answer) : null,
          ),
        ),
      ),
    ),
  );
  article.hidden = false;
}
