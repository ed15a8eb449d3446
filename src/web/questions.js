// SPDX-License-Identifier: MIT
// Questions and answers (issue 14; docs/community.md): the composer's
// "Ask as a question" toggle, "Mark as question" on one's own message, "Accept answer" on a
// reply to a question and "Reopen" on an answered one (the asker, owners and admins), a
// question's state and accepted answer shown under it, and the Open questions view (oldest
// first, with age and answer count) behind a button in the conversation header that shows
// how many are open and the group's median time to a first answer.

import { request } from './api.js';
import { h, icon, iconButton } from './dom.js';
import { formatShort, plural, richText } from './format.js';
import { on } from './hooks.js';
import { toast } from './panels.js';
import { actions, canModerate, displayName, state } from './state.js';

const enc = encodeURIComponent;

let invalidate = () => {};
let asking = false;          // the composer's toggle
let toggleBtn = null;
const stats = new Map();     // gid → {open, median, list: [question…], loaded}
const refreshTimers = new Map();
let view = null;             // the open dialog: {gid, dlg, render}

/** "4 min", "2 h", "3 d": how long something took or has waited. */
export function duration(ms) {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s} s`;
  const m = Math.round(s / 60);
  if (m < 60) return `${m} min`;
  const hrs = Math.round(m / 60);
  if (hrs < 48) return `${hrs} h`;
  return `${Math.round(hrs / 24)} d`;
}

function mayAnswerFor(group, asker) {
  return asker === state.me?.id || canModerate(group);
}

// ---------------------------------------------------------------------------------------
// Data

async function refresh(gid) {
  try {
    const [g, list] = await Promise.all([
      request('GET', `/groups/${enc(gid)}`),
      request('GET', `/groups/${enc(gid)}/questions?state=open&limit=200`),
    ]);
    stats.set(gid, {
      open: g?.open_questions ?? list?.questions?.length ?? 0,
      median: g?.median_first_answer_ms_30d ?? null,
      list: list?.questions || [],
      more: !!list?.next_cursor,
      loaded: true,
    });
  } catch (err) {
    if (!stats.has(gid)) stats.set(gid, { open: 0, median: null, list: [], loaded: false, error: err.message });
  }
  invalidate('conv');
  if (view?.gid === gid) view.render();
}

function scheduleRefresh(gid, delay = 250) {
  clearTimeout(refreshTimers.get(gid));
  refreshTimers.set(gid, setTimeout(() => { refreshTimers.delete(gid); refresh(gid); }, delay));
}

function setQuestion(gid, seq, question) {
  const tl = state.timelines.get(gid);
  const m = tl?.bySeq.get(seq);
  if (!m) return;
  m.question = question;
  m._v = (m._v || 0) + 1;
  // Its replies offer "Accept answer" by the question's state: redraw them too.
  for (const r of tl.bySeq.values()) if (r.reply_to === seq) r._v = (r._v || 0) + 1;
  invalidate('messages');
}

function onFrame(f) {
  if (f?.type !== 'event' || !f.group_id) return;
  const gid = f.group_id;
  switch (f.kind) {
    case 'question_asked': setQuestion(gid, f.target_seq, { state: 'open' }); break;
    case 'question_answered': setQuestion(gid, f.target_seq, { state: 'answered', accepted_seq: f.answer_seq }); break;
    case 'question_reopened': setQuestion(gid, f.target_seq, { state: 'open' }); break;
    case 'message':
      // A new question, or a reply that may answer one: counts and first-answer times move.
      if (!f.question && !f.reply_to) return;
      break;
    case 'message_deleted': {
      // A deleted question leaves; a deleted accepted answer reopens its question.
      const tl = state.timelines.get(gid);
      if (tl) for (const m of tl.bySeq.values()) {
        if (m.question?.accepted_seq === f.target_seq) setQuestion(gid, m.seq, { state: 'open' });
      }
      break;
    }
    default: return;
  }
  // Only the open group shows a count; another group's is fetched again when it is opened.
  if (gid === state.route.groupId) scheduleRefresh(gid);
  else stats.delete(gid);
}

// ---------------------------------------------------------------------------------------
// Actions

async function call(method, path, body, done) {
  try {
    const ev = await request(method, path, body);
    if (done) done(ev);
  } catch (err) {
    toast(err.message, 'error');
  }
}

function markAsQuestion(gid, seq) {
  call('POST', `/groups/${enc(gid)}/questions`, { seq }, () => {
    setQuestion(gid, seq, { state: 'open' });
    toast('Marked as a question.');
    scheduleRefresh(gid, 0);
  });
}

function acceptAnswer(gid, question, answer) {
  call('POST', `/groups/${enc(gid)}/questions/${enc(question)}/accept`, { answer_seq: answer }, () => {
    setQuestion(gid, question, { state: 'answered', accepted_seq: answer });
    toast('Answer accepted.');
    scheduleRefresh(gid, 0);
  });
}

function reopen(gid, question) {
  call('DELETE', `/groups/${enc(gid)}/questions/${enc(question)}/accept`, undefined, () => {
    setQuestion(gid, question, { state: 'open' });
    toast('Question reopened.');
    scheduleRefresh(gid, 0);
  });
}

// ---------------------------------------------------------------------------------------
// Views

function composerToggle() {
  if (!toggleBtn) {
    toggleBtn = h('button', {
      type: 'button', class: 'icon-btn question-toggle', 'aria-pressed': 'false',
      'aria-label': 'Ask as a question', title: 'Ask as a question',
      onclick: () => setAsking(!asking),
    }, h('span', { class: 'question-mark', 'aria-hidden': 'true' }, '?'));
  }
  return toggleBtn;
}

function setAsking(on) {
  asking = on;
  if (!toggleBtn) return;
  toggleBtn.setAttribute('aria-pressed', String(on));
  toggleBtn.classList.toggle('active', on);
  const input = document.querySelector('.composer textarea');
  if (input) input.placeholder = on ? 'Ask the group a question' : input.getAttribute('aria-label') || '';
}

/** The composer asks whether the message being sent is a question (and resets the toggle). */
function takeAsking() {
  const on = asking;
  if (on) setAsking(false);
  return on;
}

function answerOf(gid, seq) {
  return actions.quoted ? actions.quoted(gid, seq) : state.timelines.get(gid)?.bySeq.get(seq);
}

function messageParts(gid, group, m) {
  const q = m.question;
  const out = [];
  if (q) {
    const answered = q.state === 'answered';
    out.push(h('div', { class: ['question-badge', answered ? 'answered' : 'open'] },
      icon(answered ? 'check' : 'open', 14), answered ? 'Answered question' : 'Open question'));
    if (answered && q.accepted_seq) {
      const a = answerOf(gid, q.accepted_seq);
      out.push(h('div', { class: 'accepted-answer', role: 'group', 'aria-label': 'Accepted answer' },
        h('p', { class: 'accepted-label' }, icon('check', 14), 'Accepted answer',
          a?.sender?.user_id ? ` · ${displayName(a.sender.user_id, a.sender.display_name)}` : ''),
        a ? (a.deleted || a.missing ? h('p', { class: 'muted' }, 'The answer was deleted.')
          : h('div', { class: 'accepted-body' }, richText(a.body || '', { isMember: () => false, meUsername: state.me?.username || '' })))
          : h('p', { class: 'muted' }, 'Loading…'),
        h('button', { type: 'button', class: 'link-btn', onclick: () => actions.jumpTo(gid, q.accepted_seq) }, 'Go to answer')));
    }
  }
  return out;
}

function messageActions(gid, group, m) {
  const out = [];
  const mine = m.sender?.user_id === state.me?.id;
  if (mine && !m.question) {
    out.push(iconButton('help', 'Mark as question', () => markAsQuestion(gid, m.seq), { size: 18, dataset: { fk: 'a-question' } }));
  }
  if (m.question?.state === 'answered' && mayAnswerFor(group, m.sender?.user_id)) {
    out.push(iconButton('retry', 'Reopen question', () => reopen(gid, m.seq), { size: 18, dataset: { fk: 'a-reopen' } }));
  }
  if (m.reply_to) {
    const q = state.timelines.get(gid)?.bySeq.get(m.reply_to);
    if (q?.question && q.question.accepted_seq !== m.seq && mayAnswerFor(group, q.sender?.user_id)) {
      out.push(iconButton('check', 'Accept answer', () => acceptAnswer(gid, q.seq, m.seq), { size: 18, dataset: { fk: 'a-accept' } }));
    }
  }
  return out;
}

function headButton(group) {
  if (!group) return null;
  const s = stats.get(group.id);
  const n = s?.open ?? group.open_questions ?? 0;
  return h('button', {
    type: 'button', class: 'icon-btn questions-btn', 'aria-haspopup': 'dialog',
    'aria-label': `Open questions: ${n}`, title: `Open questions: ${n}`,
    onclick: () => openView(group.id),
  }, icon('help', 20), n ? h('span', { class: 'count-badge', 'aria-hidden': 'true' }, String(n)) : null);
}

function questionItem(gid, q, dlg) {
  const age = Date.now() - q.ts;
  return h('li', { class: 'question-item' },
    h('button', {
      type: 'button', class: 'question-open',
      onclick: () => { dlg.close(); actions.jumpTo(gid, q.seq); },
    },
    h('span', { class: 'question-text' }, richText(q.body || '', { isMember: () => false, meUsername: state.me?.username || '' })),
    h('span', { class: 'question-meta' },
      `${displayName(q.sender?.user_id, q.sender?.display_name)} · asked ${duration(age)} ago · `,
      h('time', { datetime: new Date(q.ts).toISOString() }, formatShort(q.ts)), ' · ',
      plural(q.answers || 0, 'answer'))));
}

function openView(gid) {
  view?.dlg.close();
  const title = h('h2', { id: 'questions-title' }, 'Open questions');
  const summary = h('p', { class: 'muted', role: 'status' });
  const listEl = h('ol', { class: 'question-list', 'aria-labelledby': 'questions-title' });
  const dlg = h('dialog', { class: 'dialog dialog-wide questions-dialog', 'aria-labelledby': 'questions-title' },
    h('div', { class: 'dialog-head' }, title,
      iconButton('close', 'Close open questions', () => dlg.close(), { size: 18 })),
    summary, h('div', { class: 'questions-scroll' }, listEl));
  const render = () => {
    const s = stats.get(gid);
    if (!s) { summary.textContent = 'Loading…'; return; }
    const median = s.median === null || s.median === undefined ? 'no answers in the last 30 days yet'
      : `median time to a first answer (30 days): ${duration(s.median)}`;
    summary.textContent = `${plural(s.open, 'open question')} · ${median}`;
    listEl.replaceChildren(...s.list.map((q) => questionItem(gid, q, dlg)));
    if (!s.list.length) listEl.replaceChildren(h('li', { class: 'muted' }, s.error || 'No open questions. Nice work!'));
  };
  view = { gid, dlg, render };
  dlg.addEventListener('close', () => {
    if (view?.dlg === dlg) view = null;
    dlg.remove();
    document.querySelector('.questions-btn')?.focus();
  });
  document.body.append(dlg);
  dlg.showModal();
  render();
  refresh(gid);
}

export function init(ctx) {
  invalidate = ctx.invalidate;
  on('frame', onFrame);
  on('route', (gid) => { if (gid) refresh(gid); });
  on('composerTools', composerToggle);
  on('messageParts', messageParts);
  on('messageActions', messageActions);
  on('convHead', headButton);
  actions.composerQuestion = takeAsking;
}
