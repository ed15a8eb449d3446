// SPDX-License-Identifier: MIT
// The library of best practices (issue 14; docs/community.md): "Save to
// library" on any message (a title and tags), and the Library view behind a button in the
// conversation header: full-text search, a tag filter, each entry with its text (and a
// question's accepted answer), a link back to the conversation, and edit/remove for its
// curator, owners and admins.

import { request } from './api.js';
import { h, icon, iconButton } from './dom.js';
import { formatShort, richText } from './format.js';
import { on } from './hooks.js';
import { confirmDialog, toast } from './panels.js';
import { actions, canModerate, displayName, state } from './state.js';

const enc = encodeURIComponent;
const PAGE = 30;
let view = null;  // the open Library view: {gid, reload}
let dialogSeq = 0;

/** "#Tips, meetings  retro" → ['tips', 'meetings', 'retro'] (the server normalises the same way). */
export function parseTags(text) {
  const out = [];
  for (const raw of String(text).split(/[\s,]+/)) {
    const t = raw.replace(/^#/, '').toLowerCase();
    if (t && !out.includes(t)) out.push(t);
  }
  return out;
}

function firstLine(body) {
  const line = String(body || '').split('\n').find((l) => l.trim()) || '';
  const chars = [...line.trim()];
  return chars.length > 80 ? `${chars.slice(0, 79).join('')}…` : chars.join('');
}

/** A dialog with a title field and a tags field; resolves {title, tags} or null. */
function entryForm({ heading, title = '', tags = [], submitLabel }) {
  return new Promise((resolve) => {
    const id = `lib-dlg-${++dialogSeq}`;
    const titleInput = h('input', { id: `${id}-title`, type: 'text', required: true, maxlength: 200, value: title, autocomplete: 'off' });
    const tagsInput = h('input', { id: `${id}-tags`, type: 'text', value: tags.join(', '), autocomplete: 'off', 'aria-describedby': `${id}-hint` });
    const error = h('p', { class: 'form-error', role: 'alert' });
    const form = h('form', { method: 'dialog', class: 'library-form' },
      h('h2', { id }, heading),
      h('label', { for: `${id}-title` }, 'Title'), titleInput,
      h('label', { for: `${id}-tags` }, 'Tags'), tagsInput,
      h('p', { id: `${id}-hint`, class: 'muted small' }, 'Separate tags with commas or spaces, e.g. onboarding, retro'),
      error,
      h('div', { class: 'dialog-actions' },
        h('button', { type: 'button', class: 'btn', onclick: () => dlg.close() }, 'Cancel'),
        h('button', { type: 'submit', class: 'btn btn-primary' }, submitLabel)));
    const dlg = h('dialog', { class: 'dialog', 'aria-labelledby': id }, form);
    let result = null;
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      const t = titleInput.value.trim();
      const list = parseTags(tagsInput.value);
      if (!t) { error.textContent = 'Give the entry a title.'; titleInput.focus(); return; }
      if (list.length > 10) { error.textContent = 'At most 10 tags.'; tagsInput.focus(); return; }
      result = { title: t, tags: list };
      dlg.close();
    });
    dlg.addEventListener('close', () => { dlg.remove(); resolve(result); });
    document.body.append(dlg);
    dlg.showModal();
    titleInput.focus();
    titleInput.select();
  });
}

async function saveMessage(gid, m) {
  const input = await entryForm({ heading: 'Save to library', title: firstLine(m.body), submitLabel: 'Save' });
  if (!input) return;
  try {
    await request('POST', `/groups/${enc(gid)}/library`, { seq: m.seq, ...input });
    toast(`Saved “${input.title}” to the library.`);
    view?.reload();
  } catch (err) {
    toast(err.message, 'error');
  }
}

async function editEntry(gid, e) {
  const input = await entryForm({ heading: 'Edit library entry', title: e.title, tags: e.tags, submitLabel: 'Save changes' });
  if (!input) return;
  try {
    await request('PATCH', `/groups/${enc(gid)}/library/${enc(e.id)}`, input);
    toast('Library entry updated.');
    view?.reload();
  } catch (err) {
    toast(err.message, 'error');
  }
}

async function removeEntry(gid, e) {
  const ok = await confirmDialog({
    title: 'Remove from library?', message: `“${e.title}” leaves the library; the message stays in the conversation.`,
    confirmLabel: 'Remove', danger: true,
  });
  if (!ok) return;
  try {
    await request('DELETE', `/groups/${enc(gid)}/library/${enc(e.id)}`);
    toast('Removed from the library.');
    view?.reload();
  } catch (err) {
    toast(err.message, 'error');
  }
}

function text(body) {
  return richText(body || '', { isMember: () => false, meUsername: state.me?.username || '' });
}

function entryItem(gid, group, e, close, filterTag) {
  const mayCurate = e.curated_by?.user_id === state.me?.id || canModerate(group);
  const headingId = `lib-entry-${e.id}`;
  return h('li', { class: 'library-entry' },
    h('article', { 'aria-labelledby': headingId },
      h('h3', { id: headingId, class: 'library-title' }, e.title),
      e.tags?.length ? h('ul', { class: 'library-tags', 'aria-label': 'Tags' },
        e.tags.map((t) => h('li', null, h('button', {
          type: 'button', class: 'tag-chip', 'aria-label': `Show entries tagged ${t}`, onclick: () => filterTag(t),
        }, `#${t}`)))) : null,
      e.deleted ? h('p', { class: 'muted' }, 'The original message was deleted.')
        : h('div', { class: 'library-body' }, text(e.body)),
      e.answer ? h('div', { class: 'accepted-answer' },
        h('p', { class: 'accepted-label' }, icon('check', 14), 'Accepted answer · ',
          displayName(e.answer.sender?.user_id, e.answer.sender?.display_name)),
        e.answer.deleted ? h('p', { class: 'muted' }, 'The answer was deleted.') : h('div', { class: 'accepted-body' }, text(e.answer.body)))
        : null,
      h('p', { class: 'library-meta muted small' },
        `${displayName(e.sender?.user_id, e.sender?.display_name)} · saved by ${displayName(e.curated_by?.user_id, e.curated_by?.display_name)} · `,
        h('time', { datetime: new Date(e.ts).toISOString() }, formatShort(e.ts))),
      h('div', { class: 'row library-actions' },
        h('button', { type: 'button', class: 'btn btn-small', onclick: () => { close(); actions.jumpTo(gid, e.target_seq); } },
          'Go to message'),
        mayCurate ? h('button', { type: 'button', class: 'btn btn-small', 'aria-label': `Edit “${e.title}”`, onclick: () => editEntry(gid, e) }, 'Edit') : null,
        mayCurate ? h('button', { type: 'button', class: 'btn btn-small btn-danger', 'aria-label': `Remove “${e.title}”`, onclick: () => removeEntry(gid, e) }, 'Remove') : null)));
}

function openLibrary(gid) {
  const group = state.groups.get(gid);
  const search = h('input', { type: 'search', id: 'library-q', placeholder: 'Search the library', autocomplete: 'off' });
  const tagSelect = h('select', { id: 'library-tag' }, h('option', { value: '' }, 'All tags'));
  const status = h('p', { class: 'muted', role: 'status' }, 'Loading…');
  const listEl = h('ul', { class: 'library-list', 'aria-labelledby': 'library-title' });
  const more = h('button', { type: 'button', class: 'btn btn-small', hidden: true }, 'Show more');
  const dlg = h('dialog', { class: 'dialog dialog-wide library-dialog', 'aria-labelledby': 'library-title' },
    h('div', { class: 'dialog-head' },
      h('h2', { id: 'library-title' }, icon('book', 20), ' Library'),
      iconButton('close', 'Close library', () => dlg.close(), { size: 18 })),
    h('form', { class: 'library-filters', role: 'search', onsubmit: (e) => { e.preventDefault(); reload(); } },
      h('label', { for: 'library-q', class: 'sr-only' }, 'Search the library'), search,
      h('label', { for: 'library-tag', class: 'sr-only' }, 'Filter by tag'), tagSelect,
      h('button', { type: 'submit', class: 'btn btn-small' }, 'Search')),
    h('div', { class: 'library-scroll' }, listEl, status, more));
  const knownTags = new Set();
  let cursor = null;
  let generation = 0;
  const close = () => dlg.close();
  const filterTag = (t) => {
    if (![...tagSelect.options].some((o) => o.value === t)) tagSelect.append(h('option', { value: t }, `#${t}`));
    tagSelect.value = t;
    reload();
  };
  const noteTags = (entries) => {
    for (const e of entries) for (const t of e.tags || []) {
      if (knownTags.has(t)) continue;
      knownTags.add(t);
      if (![...tagSelect.options].some((o) => o.value === t)) tagSelect.append(h('option', { value: t }, `#${t}`));
    }
  };
  const load = async (fresh) => {
    const mine = fresh ? ++generation : generation;
    more.hidden = true;
    status.textContent = 'Loading…';
    const q = new URLSearchParams({ limit: String(PAGE) });
    if (search.value.trim()) q.set('q', search.value.trim());
    if (tagSelect.value) q.set('tag', tagSelect.value);
    if (!fresh && cursor) q.set('cursor', cursor);
    try {
      const res = await request('GET', `/groups/${enc(gid)}/library?${q}`);
      if (mine !== generation) return;  // a newer search answered first
      const entries = res?.entries || [];
      noteTags(entries);
      const items = entries.map((e) => entryItem(gid, group, e, close, filterTag));
      if (fresh) listEl.replaceChildren(...items); else listEl.append(...items);
      cursor = res?.next_cursor || null;
      more.hidden = !cursor;
      const filtered = search.value.trim() || tagSelect.value;
      status.textContent = listEl.children.length ? `${listEl.children.length}${cursor ? '+' : ''} ${listEl.children.length === 1 ? 'entry' : 'entries'}`
        : (filtered ? 'Nothing in the library matches.' : 'The library is empty. Save a message with “Save to library”.');
    } catch (err) {
      if (mine === generation) status.textContent = err.message;
    }
  };
  const reload = () => load(true);
  let typingTimer = null;
  search.addEventListener('input', () => { clearTimeout(typingTimer); typingTimer = setTimeout(reload, 300); });
  tagSelect.addEventListener('change', reload);
  more.addEventListener('click', () => load(false));
  view = { gid, reload };
  dlg.addEventListener('close', () => {
    clearTimeout(typingTimer);
    if (view?.reload === reload) view = null;
    dlg.remove();
    document.querySelector('.library-btn')?.focus();
  });
  document.body.append(dlg);
  dlg.showModal();
  search.focus();
  reload();
}

function onFrame(f) {
  if (f?.type !== 'event' || view?.gid !== f.group_id) return;
  if (f.kind === 'library_added' || f.kind === 'library_updated' || f.kind === 'library_removed') view.reload();
}

export function init() {
  on('frame', onFrame);
  on('convHead', (group) => (group ? iconButton('book', 'Library', () => openLibrary(group.id),
    { class: 'library-btn', 'aria-haspopup': 'dialog' }) : null));
  on('messageActions', (gid, group, m) => (m.deleted ? null
    : iconButton('bookmark', 'Save to library', () => saveMessage(gid, m), { size: 18, dataset: { fk: 'a-library' } })));
}
