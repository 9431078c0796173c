// The dev console page: chat through the simulator, the timeline of messages, their detail, and the store's state.
// Plain DOM and fetch; live updates over Server-Sent Events. Every text from the server goes in with textContent.

const API = '/_console/api';
const ERROR_PAGE = '该公众号暂时无法提供服务，请稍后再试';

const state = {
  info: undefined,
  view: 'chat',
  user: localStorage.getItem('wechat-gpt-console-user') || '',
  users: [],
  rows: new Map(),
  selected: undefined,
};

const $ = (id) => document.getElementById(id);

/** h('li', { class: 'x', dataset: { from: 'bot' } }, 'text', child…) */
function h(tag, attributes = {}, ...children) {
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
const nodes = (...items) => items.flat(2).filter((item) => item !== undefined && item !== null && item !== false);

async function api(path, body) {
  const response = await fetch(`${API}/${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const data = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(data.error || `HTTP ${response.status}`);
  return data;
}

const clock = (ms) => new Date(ms).toLocaleTimeString('en-GB', { hour12: false });
const seconds = (ms) => (ms === undefined ? '—' : `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`);
const shortUser = (openid) => (openid.length <= 12 ? openid : `${openid.slice(0, 6)}…${openid.slice(-4)}`);

/** A debounced call, so a burst of events renders once. */
function soon(fn, ms = 80) {
  let timer;
  return () => {
    clearTimeout(timer);
    timer = setTimeout(fn, ms);
  };
}

// ——— Views ———

function show(view) {
  state.view = view;
  for (const tab of document.querySelectorAll('[role=tab]')) {
    const selected = tab.dataset.view === view;
    tab.setAttribute('aria-selected', String(selected));
    tab.tabIndex = selected ? 0 : -1;
    $(`view-${tab.dataset.view}`).hidden = !selected;
  }
  if (view === 'timeline') renderRows();
  if (view === 'state') loadState();
  if (view === 'chat') loadConversation();
  history.replaceState(null, '', `#${view}`);
}

function setUpTabs() {
  const tabs = [...document.querySelectorAll('[role=tab]')];
  for (const tab of tabs) {
    tab.addEventListener('click', () => show(tab.dataset.view));
    tab.addEventListener('keydown', (event) => {
      const step = event.key === 'ArrowRight' ? 1 : event.key === 'ArrowLeft' ? -1 : 0;
      if (!step) return;
      const next = tabs[(tabs.indexOf(tab) + step + tabs.length) % tabs.length];
      next.focus();
      show(next.dataset.view);
    });
  }
}

// ——— Users ———

function newOpenid() {
  const bytes = crypto.getRandomValues(new Uint8Array(15));
  const text = btoa(String.fromCharCode(...bytes))
    .replaceAll('+', '-')
    .replaceAll('/', '_')
    .replaceAll('=', '');
  return `oConsole${text.slice(0, 20)}`;
}

function pickUser(openid) {
  state.user = openid;
  localStorage.setItem('wechat-gpt-console-user', openid);
  if (!state.users.includes(openid)) state.users.unshift(openid);
  renderUsers();
  loadConversation();
}

function renderUsers() {
  const select = $('user-select');
  select.replaceChildren(
    ...state.users.map((openid) => h('option', { value: openid, selected: openid === state.user }, openid)),
  );
  const filter = $('filter-user');
  const current = filter.value;
  filter.replaceChildren(
    h('option', { value: '' }, 'everyone'),
    ...state.users.map((openid) => h('option', { value: openid, selected: openid === current }, shortUser(openid))),
  );
}

function noteUser(openid) {
  if (openid && !state.users.includes(openid)) {
    state.users.push(openid);
    renderUsers();
  }
}

// ——— Chat ———

async function send(body) {
  try {
    await api('chat', { openid: state.user, ...body });
    loadConversation();
  } catch (error) {
    $('bubbles').append(h('li', { class: 'notice error' }, `Not sent: ${error.message}`));
  }
}

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

function renderConversation(entries) {
  const list = $('bubbles');
  const nearBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 80;
  const items = [];
  const timeout = state.info ? state.info.timeoutMs / 1000 : 5;
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
          `No answer within ${timeout} s: WeChat retries… (attempt ${n + 1})`,
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

function renderSideLog() {
  const rows = [...state.rows.values()]
    .filter((row) => row.openid === state.user)
    .sort((a, b) => b.at - a.at)
    .slice(0, 8);
  $('side-log').replaceChildren(
    ...rows.map((row) =>
      h(
        'li',
        {},
        h(
          'button',
          {
            type: 'button',
            class: `log-entry ${row.state}`,
            onclick: () => {
              show('timeline');
              openDetail(row.id);
            },
          },
          h('span', { class: 'log-preview' }, row.preview || row.type.replace(/^event:/, '')),
          h(
            'span',
            { class: 'log-path' },
            `${row.path} · ${seconds(row.latencyMs)}${row.source ? ` · ${row.source}` : ''}`,
          ),
        ),
      ),
    ),
  );
}

const loadConversation = soon(async () => {
  if (!state.user) return;
  renderSideLog();
  $('phone-title').textContent = `公众号 · ${shortUser(state.user)}`;
  renderConversation(await api(`conversation?openid=${encodeURIComponent(state.user)}`));
}, 30);

function setUpChat() {
  $('chat-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const input = $('chat-input');
    const text = input.value.trim();
    if (!text) return;
    input.value = '';
    send({ kind: 'text', text });
  });
  $('send-subscribe').addEventListener('click', () => send({ kind: 'subscribe' }));
  $('click-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const key = $('click-key').value.trim();
    if (key) send({ kind: 'click', key });
  });
  $('image-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const url = $('image-url').value.trim();
    if (url) send({ kind: 'image', url });
  });
  $('user-select').addEventListener('change', (event) => pickUser(event.target.value));
  $('user-new').addEventListener('click', () => pickUser(newOpenid()));
}

// ——— Timeline ———

function rowVisible(row) {
  const user = $('filter-user').value;
  const text = $('filter-text').value.trim().toLowerCase();
  if (user && row.openid !== user) return false;
  return !text || `${row.preview} ${row.replyPreview}`.toLowerCase().includes(text);
}

function renderRows() {
  const rows = [...state.rows.values()].sort((a, b) => b.at - a.at).filter(rowVisible);
  $('rows-empty').hidden = state.rows.size > 0;
  $('rows').replaceChildren(
    ...rows.map((row) =>
      h(
        'li',
        {
          class: `row ${row.state}${row.id === state.selected ? ' selected' : ''}`,
          tabindex: 0,
          role: 'button',
          'aria-label': `${row.type} from ${row.openid}: ${row.preview}`,
          'data-testid': 'timeline-row',
          dataset: { msgid: row.msgId || row.id, id: row.id, state: row.state },
          onclick: () => openDetail(row.id),
          onkeydown: (event) => {
            if (event.key === 'Enter' || event.key === ' ') {
              event.preventDefault();
              openDetail(row.id);
            }
          },
        },
        h('span', { class: 'at' }, clock(row.at)),
        h('span', { class: 'user', title: row.openid }, shortUser(row.openid)),
        h('span', { class: 'type', title: row.type }, row.type.replace(/^event:/, '')),
        h(
          'span',
          { class: 'preview' },
          h('span', { class: 'question' }, row.preview || '—'),
          h('span', { class: 'arrow', 'aria-hidden': 'true' }, ' → '),
          h('span', { class: 'answer' }, row.replyPreview || (row.state === 'pending' ? '…' : '—')),
        ),
        h('span', { class: `waited${row.latencyMs > 5000 ? ' slow' : ''}` }, seconds(row.latencyMs)),
        h('span', { class: 'path', title: `${row.attempts} request${row.attempts === 1 ? '' : 's'}` }, row.path),
        h('span', { class: 'source' }, [row.source, row.origin ? row.origin.kind : null].filter(Boolean).join(' · ')),
      ),
    ),
  );
}

function xmlBlock(title, text, open = true) {
  if (text === undefined) return null;
  return h('details', { class: 'xml', open }, h('summary', {}, title), h('pre', {}, text));
}

function renderDetail(detail) {
  const { summary } = detail;
  const article = $('detail');
  const replay = (sameMsgId) => async () => {
    const { id } = await api('replay', { id: summary.id, sameMsgId });
    state.selected = id;
  };
  article.replaceChildren(
    ...nodes(
      h(
        'header',
        {},
        h('h2', {}, `${summary.type} · ${summary.preview || summary.id}`),
        h('button', { type: 'button', class: 'close', 'aria-label': 'Close the detail', onclick: closeDetail }, '×'),
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

async function openDetail(id) {
  state.selected = id;
  renderRows();
  renderDetail(await api(`messages/${encodeURIComponent(id)}`));
}

function closeDetail() {
  state.selected = undefined;
  $('detail').hidden = true;
  renderRows();
}

const refreshDetail = soon(async () => {
  if (state.selected && state.view === 'timeline') {
    try {
      renderDetail(await api(`messages/${encodeURIComponent(state.selected)}`));
    } catch {
      // Replayed messages appear once their first attempt arrives.
    }
  }
});

// ——— State ———

async function loadState() {
  const users = await api('state');
  const root = $('state');
  if (users.length === 0) {
    root.replaceChildren(h('p', { class: 'empty' }, 'No users yet.'));
    return;
  }
  root.replaceChildren(
    h(
      'table',
      {},
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          h('th', {}, 'User'),
          h('th', {}, 'Waiting answers'),
          h('th', {}, 'Pages queued'),
          h('th', {}, 'Conversation'),
          h('th', {}, ''),
        ),
      ),
      h(
        'tbody',
        {},
        ...users.map((user) =>
          h(
            'tr',
            { 'data-testid': 'state-user', dataset: { openid: user.openid } },
            h('td', { class: 'user' }, user.openid),
            h('td', {}, String(user.unseenAnswers)),
            h('td', {}, String(user.pages)),
            h(
              'td',
              {},
              user.turns.length
                ? h(
                    'details',
                    {},
                    h('summary', {}, `${user.turns.length} turns`),
                    h(
                      'ol',
                      { class: 'turns' },
                      ...user.turns.map((turn) => h('li', { class: turn.role }, h('b', {}, turn.role), ' ', turn.text)),
                    ),
                  )
                : '—',
            ),
            h(
              'td',
              {},
              h(
                'button',
                {
                  type: 'button',
                  onclick: async () => {
                    await api('state/clear', { openid: user.openid });
                    loadState();
                  },
                },
                'Clear outbox and conversation',
              ),
            ),
          ),
        ),
      ),
    ),
  );
}

// ——— Live updates ———

function listen() {
  const events = new EventSource(`${API}/events`);
  events.addEventListener('message', (event) => {
    const row = JSON.parse(event.data);
    if (!row.openid && row.openid !== '') return;
    state.rows.set(row.id, row);
    noteUser(row.openid);
    if (state.view === 'timeline') renderTimelineSoon();
    if (row.openid === state.user) loadConversation();
    if (row.id === state.selected) refreshDetail();
  });
  events.addEventListener('state', () => {
    if (state.view === 'state') loadState();
  });
  events.addEventListener('open', () => {
    document.body.dataset.live = 'true';
  });
}
const renderTimelineSoon = soon(renderRows, 50);

async function start() {
  setUpTabs();
  setUpChat();
  $('filter-user').addEventListener('change', renderRows);
  $('filter-text').addEventListener('input', renderRows);
  $('filters').addEventListener('submit', (event) => event.preventDefault());

  state.info = await api('info');
  $('timeout-s').textContent = String(state.info.timeoutMs / 1000);
  $('run-info').textContent =
    `${state.info.mode === 'safe' ? '安全模式' : '明文模式'} · ${state.info.model} · ${state.info.delivery} delivery`;
  for (const row of await api('messages')) state.rows.set(row.id, row);
  state.users = [...state.info.users];
  if (!state.user) state.user = state.users[0] || newOpenid();
  pickUser(state.user);
  listen();
  const view = location.hash.slice(1);
  show(['chat', 'timeline', 'state'].includes(view) ? view : 'chat');
}

start();
