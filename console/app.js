// The dev console page: chat through the simulator, the timeline of messages, their detail, and the store's state.
// Plain DOM and fetch; live updates over Server-Sent Events. Every text from the server goes in with textContent.
import { renderConversation } from './chat.js';
import { renderDetail } from './detail.js';
import { $, API, api, clock, h, seconds, shortUser, soon } from './dom.js';

const state = {
  info: undefined,
  view: 'chat',
  user: localStorage.getItem('wechat-gpt-console-user') || '',
  users: [],
  rows: new Map(),
  selected: undefined,
};

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
  const entries = await api(`conversation?openid=${encodeURIComponent(state.user)}`);
  renderConversation($('bubbles'), entries, state.info ? state.info.timeoutMs / 1000 : 5);
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

function showDetail(detail) {
  renderDetail($('detail'), detail, {
    onReplay: (id) => {
      state.selected = id;
    },
    onClose: closeDetail,
  });
}

async function openDetail(id) {
  state.selected = id;
  renderRows();
  showDetail(await api(`messages/${encodeURIComponent(id)}`));
}

function closeDetail() {
  state.selected = undefined;
  $('detail').hidden = true;
  renderRows();
}

const refreshDetail = soon(async () => {
  if (state.selected && state.view === 'timeline') {
    try {
      showDetail(await api(`messages/${encodeURIComponent(state.selected)}`));
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
