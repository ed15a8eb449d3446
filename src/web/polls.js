// SPDX-License-Identifier: MIT
// Polls (docs/community.md "Polls"): create one from the composer (📊), vote on its card in
// the conversation, see the results live, close it. Cards sit at the poll's seq; their state
// comes from GET /groups/{id}/polls when a group opens and from the poll, poll_voted and
// poll_closed events after that.

import { request } from './api.js';
import { h, iconButton } from './dom.js';
import { formatFull, formatRelativeFuture, plural } from './format.js';
import { on } from './hooks.js';
import { canModerate, displayName, state } from './state.js';
import { toast } from './panels.js';

const MAX_OPTIONS = 10;
const byGroup = new Map();  // group id → Map poll id → poll (the GET shape)
const drafts = new Map();   // poll id → Set of option indexes ticked but not yet sent
let invalidate = () => {};
let dialogs = 0;

function pollsOf(gid) {
  let m = byGroup.get(gid);
  if (!m) { m = new Map(); byGroup.set(gid, m); }
  return m;
}

function put(gid, p) { pollsOf(gid).set(p.id, p); }

function onEvent(f) {
  const polls = pollsOf(f.group_id);
  if (f.kind === 'poll') {
    if (polls.has(f.poll_id)) return false;
    polls.set(f.poll_id, {
      id: f.poll_id, seq: f.seq, ts: f.ts, question: f.question, options: f.options, multiple: !!f.multiple,
      anonymous: !!f.anonymous, closes_at: f.closes_at ?? null, created_by: { user_id: f.user_id },
      closed: false, closed_at: null, counts: f.options.map(() => 0), voters: 0, my_vote: { voted: false },
      votes: f.anonymous ? undefined : [],
    });
    return true;
  }
  const p = polls.get(f.poll_id);
  if (!p) return false;
  if (Array.isArray(f.counts)) p.counts = f.counts;
  if (typeof f.voters === 'number') p.voters = f.voters;
  if (f.kind === 'poll_voted' && f.user_id) {
    const chosen = f.options || [];
    if (f.user_id === state.me?.id) p.my_vote = chosen.length ? { voted: true, options: chosen } : { voted: false };
    if (Array.isArray(p.votes)) {
      p.votes = p.votes.filter((v) => v.user_id !== f.user_id);
      if (chosen.length) p.votes.push({ user_id: f.user_id, options: chosen });
    }
  }
  if (f.kind === 'poll_closed') { p.closed = true; p.closed_at = f.ts; }
  return true;
}

async function load(gid) {
  try {
    const res = await request('GET', `/groups/${gid}/polls?limit=100`);
    for (const p of res?.polls || []) put(gid, p);
    invalidate('messages');
  } catch { /* cards for the polls that events bring still show */ }
}

async function vote(gid, p, chosen) {
  try {
    const res = await request('PUT', `/groups/${gid}/polls/${p.id}/vote`, { options: chosen });
    if (res?.id) {
      // An anonymous poll's answer has the published counts only: keep the newer ones if an
      // event brought them first.
      if (p.anonymous && res.voters < p.voters) Object.assign(res, { counts: p.counts, voters: p.voters });
      put(gid, res);
    }
    drafts.delete(p.id);
    invalidate('messages');
  } catch (err) {
    toast(err.message, 'error');
  }
}

async function closePoll(gid, p) {
  try {
    await request('POST', `/groups/${gid}/polls/${p.id}/close`, {});
  } catch (err) {
    toast(err.message, 'error');
  }
}

const nameOf = (id, fallback) => displayName(id, fallback) || fallback || 'Someone';

function pct(n, total) { return total ? Math.round((100 * n) / total) : 0; }

function card(gid, group, p) {
  const open = !p.closed && !(p.closes_at && p.closes_at <= Date.now());
  const canVote = open && !(p.anonymous && p.my_vote?.voted);
  const mine = new Set(p.my_vote?.options || []);
  const draft = drafts.get(p.id) || new Set(mine);
  const total = p.counts.reduce((a, b) => a + b, 0);
  const qid = `poll-${gid}-${p.id}-q`;
  const author = nameOf(p.created_by?.user_id, p.created_by?.display_name);
  const votersOf = (i) => (Array.isArray(p.votes)
    ? p.votes.filter((v) => v.options.includes(i)).map((v) => nameOf(v.user_id)).join(', ') : '');

  const result = (i) => {
    const fill = h('span', { class: 'poll-bar-fill' });
    fill.style.width = `${pct(p.counts[i], total)}%`;  // through the CSSOM: the CSP allows no style attributes
    return h('span', { class: 'poll-result' },
      h('span', { class: 'poll-bar', 'aria-hidden': 'true' }, fill),
      h('span', { class: 'poll-count' }, `${plural(p.counts[i], 'vote')} · ${pct(p.counts[i], total)}%`));
  };

  let body;
  if (canVote) {
    const inputs = [];
    const submit = h('button', { type: 'submit', class: 'btn btn-primary btn-small', disabled: draft.size === 0 },
      p.my_vote?.voted ? 'Change vote' : 'Vote');
    body = h('form', {
      class: 'poll-form',
      onsubmit: (e) => { e.preventDefault(); vote(gid, p, [...(drafts.get(p.id) || draft)].sort((a, b) => a - b)); },
    },
    h('fieldset', { class: 'poll-options' },
      h('legend', { class: 'sr-only' }, `${p.question} (${p.multiple ? 'choose one or more' : 'choose one'})`),
      p.options.map((text, i) => {
        const input = h('input', {
          type: p.multiple ? 'checkbox' : 'radio', name: `poll-${gid}-${p.id}`, value: String(i), checked: draft.has(i),
          onchange: () => {
            const next = new Set(p.multiple ? inputs.filter((x) => x.checked).map((x) => Number(x.value)) : [i]);
            drafts.set(p.id, next);
            submit.disabled = next.size === 0;
          },
        });
        inputs.push(input);
        return h('label', { class: 'poll-option', title: votersOf(i) || null },
          input, h('span', { class: 'poll-option-text' }, text), result(i));
      })),
    h('div', { class: 'poll-actions' }, submit,
      p.anonymous ? h('span', { class: 'small muted' }, 'Anonymous: your vote is final.') : null));
  } else {
    body = h('ul', { class: 'poll-options poll-results', 'aria-label': 'Results' },
      p.options.map((text, i) => h('li', { class: ['poll-option', mine.has(i) && 'poll-mine'], title: votersOf(i) || null },
        h('span', { class: 'poll-option-text' }, text, mine.has(i) ? h('span', { class: 'sr-only' }, ' (your vote)') : null),
        result(i))));
  }

  const meta = [
    p.multiple ? 'Multiple choice' : 'Single choice',
    p.anonymous ? 'Anonymous' : null,
    plural(p.voters, 'voter'),
    p.closed ? 'Closed' : p.closes_at ? `Closes ${formatRelativeFuture(p.closes_at)}` : null,
  ].filter(Boolean).join(' · ');
  const mayClose = open && (p.created_by?.user_id === state.me?.id || canModerate(group));
  return h('article', { class: ['poll-card', p.closed && 'poll-closed'], 'aria-labelledby': qid, dataset: { pollId: String(p.id) } },
    h('p', { class: 'poll-kicker small muted' }, h('span', { 'aria-hidden': 'true' }, '📊 '), `Poll by ${author}`),
    h('p', { class: 'poll-question', id: qid }, p.question),
    body,
    p.anonymous && p.my_vote?.voted && open
      ? h('p', { class: 'small muted poll-note' }, 'You voted. Counts are updated every few seconds, so nobody can tell who voted what.')
      : null,
    h('div', { class: 'poll-foot' },
      h('span', { class: 'small muted poll-meta', title: p.closes_at ? formatFull(p.closes_at) : null }, meta),
      mayClose ? h('button', { type: 'button', class: 'btn btn-small', onclick: () => closePoll(gid, p) }, 'Close poll') : null));
}

function items(gid) {
  const m = byGroup.get(gid);
  if (!m) return [];
  const group = state.groups.get(gid);
  return [...m.values()].map((p) => ({
    seq: p.seq, ts: p.ts, key: `poll-${gid}-${p.id}`,
    sig: JSON.stringify([p.counts, p.voters, p.closed, p.my_vote, p.votes, group?.role, state.me?.id]),
    build: () => card(gid, group, p),
  }));
}

/** The new-poll dialog: a question, 2–10 options, single/multiple, anonymous, an optional closing time. */
export function createPoll(gid) {
  const id = `poll-dlg-${++dialogs}`;
  const question = h('input', { id: `${id}-q`, required: true, maxlength: 300, autocomplete: 'off' });
  const optionList = h('ol', { class: 'poll-edit-options' });
  const addBtn = h('button', { type: 'button', class: 'btn btn-small', onclick: () => addOption(true) }, 'Add option');
  const renumber = () => {
    [...optionList.children].forEach((li, i) => {
      li.querySelector('input').setAttribute('aria-label', `Option ${i + 1}`);
      li.querySelector('button').hidden = optionList.children.length <= 2;
      li.querySelector('button').setAttribute('aria-label', `Remove option ${i + 1}`);
    });
    addBtn.hidden = optionList.children.length >= MAX_OPTIONS;
  };
  function addOption(focus) {
    const input = h('input', { required: true, maxlength: 100, autocomplete: 'off', class: 'poll-edit-option' });
    const li = h('li', null, input, iconButton('close', 'Remove option', () => { li.remove(); renumber(); }, { size: 16 }));
    optionList.append(li);
    renumber();
    if (focus) input.focus();
  }
  addOption(false);
  addOption(false);
  const multiple = h('input', { type: 'checkbox', id: `${id}-multi` });
  const anonymous = h('input', { type: 'checkbox', id: `${id}-anon` });
  const closes = h('input', { type: 'datetime-local', id: `${id}-closes` });
  const error = h('p', { class: 'form-error', role: 'alert' });
  const submit = h('button', { type: 'submit', class: 'btn btn-primary' }, 'Create poll');
  const dlg = h('dialog', { class: 'dialog', 'aria-labelledby': id });
  dlg.append(h('form', {
    onsubmit: async (e) => {
      e.preventDefault();
      error.textContent = '';
      const body = {
        question: question.value.trim(),
        options: [...optionList.querySelectorAll('input')].map((i) => i.value.trim()),
        multiple: multiple.checked,
        anonymous: anonymous.checked,
      };
      if (closes.value) {
        const at = new Date(closes.value).getTime();
        if (!(at > Date.now())) { error.textContent = 'The closing time must be in the future.'; return; }
        body.closes_at = at;
      }
      submit.disabled = true;
      try {
        await request('POST', `/groups/${gid}/polls`, body);
        dlg.close();
      } catch (err) {
        error.textContent = err.message;
      } finally {
        submit.disabled = false;
      }
    },
  },
  h('h2', { id }, 'New poll'),
  h('div', { class: 'field' }, h('label', { for: question.id }, 'Question'), question),
  h('fieldset', { class: 'field poll-edit' }, h('legend', null, 'Options'), optionList, addBtn),
  h('label', { class: 'check', for: multiple.id }, multiple, ' Allow several choices'),
  h('label', { class: 'check', for: anonymous.id }, anonymous, ' Anonymous (votes are final; nobody can see who voted what)'),
  h('div', { class: 'field' }, h('label', { for: closes.id }, 'Closes at ', h('span', { class: 'muted' }, '(optional)')), closes),
  error,
  h('div', { class: 'dialog-actions' },
    h('button', { type: 'button', class: 'btn', onclick: () => dlg.close() }, 'Cancel'),
    submit)));
  dlg.addEventListener('close', () => { dlg.remove(); document.querySelector('.poll-create-btn')?.focus(); });
  document.body.append(dlg);
  dlg.showModal();
  question.focus();
}

export function init(ctx) {
  invalidate = ctx.invalidate;
  on('frame', (f) => {
    if (f.type !== 'event' || !['poll', 'poll_voted', 'poll_closed'].includes(f.kind)) return;
    if (onEvent(f)) invalidate('messages');
  });
  on('route', (gid) => { if (gid) load(gid); });
  on('timelineItems', items);
  // The composer is built once for every group: the button acts on the group shown.
  on('composerTools', () => h('button', {
      type: 'button', class: 'icon-btn emoji-btn poll-create-btn', 'aria-label': 'Create a poll', title: 'Create a poll',
      'aria-haspopup': 'dialog', onclick: () => { if (state.route.groupId) createPoll(state.route.groupId); },
    }, h('span', { 'aria-hidden': 'true' }, '📊')));
}
