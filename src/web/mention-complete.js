// SPDX-License-Identifier: MIT
// @mention autocomplete in the composer: typing "@" and a few letters lists the group's
// members whose username or display name starts with them (owners and admins also get
// @all). Keyboard: ↑/↓ choose, Enter or Tab pick, Escape closes; touch or mouse: tap one.
// Picking writes "@username " into the text; the server turns it into a mention.

import { h } from './dom.js';
import { on } from './hooks.js';
import { canModerate, state } from './state.js';
import { avatarImage } from './people.js';

const MAX_SHOWN = 8;
const TOKEN_RE = /(^|[^\p{L}\p{N}_.@-])@([\p{L}\p{N}_.-]{0,32})$/u;

let list = null;     // the listbox element while open
let items = [];      // [{username, display_name}]
let active = 0;
let anchor = null;   // {input, start, end}: the "@query" being completed

function composer() { return document.getElementById('composer-input'); }

function candidates(query) {
  const gid = state.route.groupId;
  const group = gid ? state.groups.get(gid) : null;
  const members = gid ? state.members.get(gid) : null;
  if (!group || !members) return [];
  const q = query.toLowerCase();
  const words = (name) => String(name || '').toLowerCase().split(/\s+/u);
  const out = [];
  for (const m of members.values()) {
    if (m.user_id === state.me?.id || !m.username) continue;
    const u = m.username.toLowerCase();
    if (!q || u.startsWith(q) || words(m.display_name).some((w) => w.startsWith(q))) out.push(m);
  }
  out.sort((a, b) => Number(!a.username.toLowerCase().startsWith(q)) - Number(!b.username.toLowerCase().startsWith(q)) ||
    String(a.display_name).localeCompare(String(b.display_name)));
  if (canModerate(group) && 'all'.startsWith(q)) out.push({ username: 'all', display_name: 'Everyone in this group' });
  return out.slice(0, MAX_SHOWN);
}

function close() {
  const input = composer();
  if (input) {
    input.removeAttribute('aria-activedescendant');
    input.removeAttribute('aria-controls');
    input.removeAttribute('aria-autocomplete');
  }
  list?.remove();
  list = null;
  items = [];
  anchor = null;
}

function render() {
  const input = anchor.input;
  if (!list) {
    list = h('ul', { class: 'mention-list', id: 'mention-list', role: 'listbox', 'aria-label': 'Mention someone' });
    // Keep the focus (and the keyboard on a phone) in the composer while picking.
    list.addEventListener('mousedown', (e) => e.preventDefault());
    input.closest('form')?.prepend(list);
  }
  list.replaceChildren(...items.map((m, i) => h('li', {
    id: `mention-opt-${i}`, role: 'option', class: ['mention-option', i === active && 'active'],
    'aria-selected': String(i === active), onclick: () => pick(i),
  }, m.user_id ? avatarImage(m.user_id, 'avatar-img avatar-thumb') : null, h('span', { class: 'mention-name' }, m.display_name), h('span', { class: 'mention-user' }, `@${m.username}`))));
  input.setAttribute('aria-autocomplete', 'list');
  input.setAttribute('aria-controls', 'mention-list');
  input.setAttribute('aria-activedescendant', `mention-opt-${active}`);
  list.querySelector('.active')?.scrollIntoView({ block: 'nearest' });
}

function pick(i) {
  const m = items[i];
  const a = anchor;
  if (!m || !a) return;
  const text = `@${m.username} `;
  a.input.value = a.input.value.slice(0, a.start) + text + a.input.value.slice(a.end);
  const caret = a.start + text.length;
  close();
  a.input.focus();
  a.input.setSelectionRange(caret, caret);
  a.input.dispatchEvent(new Event('input', { bubbles: true })); // the composer resizes, typing is sent
}

function onInput(e) {
  const input = e.target;
  if (input?.id !== 'composer-input') return;
  const caret = input.selectionStart;
  if (caret !== input.selectionEnd) { close(); return; }
  const m = TOKEN_RE.exec(input.value.slice(0, caret));
  if (!m) { close(); return; }
  const found = candidates(m[2]);
  if (!found.length) { close(); return; }
  const prevName = items[active]?.username;
  items = found;
  active = Math.max(0, found.findIndex((x) => x.username === prevName));
  anchor = { input, start: caret - m[2].length - 1, end: caret };
  render();
}

// Runs in the capture phase on the document, before the composer's own Enter-to-send.
function onKeydown(e) {
  if (!list || e.target?.id !== 'composer-input' || e.isComposing) return;
  let handled = true;
  if (e.key === 'ArrowDown') active = (active + 1) % items.length;
  else if (e.key === 'ArrowUp') active = (active - 1 + items.length) % items.length;
  else if ((e.key === 'Enter' && !e.shiftKey) || (e.key === 'Tab' && !e.shiftKey)) { pick(active); }
  else if (e.key === 'Escape') close();
  else handled = false;
  if (!handled) return;
  e.preventDefault();
  e.stopImmediatePropagation();
  if (list) render();
}

export function init() {
  document.addEventListener('input', onInput);
  document.addEventListener('keydown', onKeydown, true);
  document.addEventListener('focusout', (e) => { if (e.target?.id === 'composer-input') setTimeout(() => { if (document.activeElement?.id !== 'composer-input') close(); }, 150); });
  on('route', close);
  on('sent', close);
}
