// SPDX-License-Identifier: MIT
// "Seen by": each of your own messages shows how many other members have read it (their
// read marker, `last_read_seq` in GET /groups/{id}, kept current by `read` frames), and a
// click or tap lists who has and who has not. Only your own messages carry it: on everyone's
// messages it would be noise.

import { clear, h } from './dom.js';
import { on } from './hooks.js';
import { displayName, state } from './state.js';

function readers(gid, seq) {
  const members = state.members.get(gid);
  const seen = [];
  const notYet = [];
  if (!members) return null;
  for (const m of members.values()) {
    if (m.user_id === state.me.id) continue;
    ((m.last_read_seq || 0) >= seq ? seen : notYet).push(m);
  }
  return { seen, notYet };
}

function label(r) {
  if (!r.seen.length) return null;
  return r.notYet.length ? `Seen by ${r.seen.length}` : 'Seen by everyone';
}

function names(list) {
  return list.map((m) => displayName(m.user_id, m.display_name)).sort((a, b) => a.localeCompare(b));
}

function showWho(gid, seq) {
  const r = readers(gid, seq);
  if (!r) return;
  const list = (title, people) => [
    h('h3', null, `${title} (${people.length})`),
    people.length ? h('ul', { class: 'seen-list' }, names(people).map((n) => h('li', null, n)))
      : h('p', { class: 'muted' }, 'Nobody'),
  ];
  const dlg = h('dialog', { class: 'dialog', 'aria-labelledby': 'seen-title' },
    h('form', { method: 'dialog' },
      h('h2', { id: 'seen-title' }, 'Seen by'),
      list('Read it', r.seen), list('Not yet', r.notYet),
      h('div', { class: 'dialog-actions' }, h('button', { class: 'btn btn-primary', value: 'ok' }, 'Close'))));
  dlg.addEventListener('close', () => dlg.remove());
  document.body.append(dlg);
  dlg.showModal();
}

function decorate(gid, listEl) {
  if (!state.me) return;
  for (const node of listEl.querySelectorAll('.msg.mine[data-seq]')) {
    const seq = Number(node.dataset.seq);
    const main = node.querySelector('.msg-main');
    if (!main) continue;
    const r = node.classList.contains('deleted') ? null : readers(gid, seq);
    const text = r && label(r);
    let el = main.querySelector(':scope > .seen-by');
    if (!text) { el?.remove(); continue; }
    if (!el) {
      el = h('button', { type: 'button', class: 'seen-by', onclick: () => showWho(gid, seq) });
      main.append(el);
    }
    if (el.textContent !== text) {
      clear(el).append(text);
      el.setAttribute('aria-label', `${text}: show who has read this message`);
    }
  }
}

export function init() {
  on('rendered', decorate);
}
