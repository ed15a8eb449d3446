// SPDX-License-Identifier: MIT
// A quiz's two cards in the conversation (docs/community.md "Live quiz"): where it started
// ("Alice started the quiz “Warm-up”", with Join or Results) and where it finished (the top
// three, with the podium). They come from the quiz_started / quiz_finished events as they arrive
// or replay, and from GET /groups/{id}/quizzes (started_seq, finished_seq) when a group opens.

import { h } from './dom.js';
import { formatShort } from './format.js';
import { on } from './hooks.js';
import { displayName, state } from './state.js';

const byGroup = new Map();  // group id → Map quiz id → {id, title, host, questions, started, finished, podium}
let invalidate = () => {};
let openPlay = () => {};

function quizzesOf(gid) {
  let m = byGroup.get(gid);
  if (!m) { m = new Map(); byGroup.set(gid, m); }
  return m;
}

function entry(gid, id) {
  const m = quizzesOf(gid);
  if (!m.has(id)) m.set(id, { id, title: '', host: null, questions: 0, started: null, finished: null, podium: null });
  return m.get(id);
}

/** Takes in a page of GET /groups/{id}/quizzes: the places of the quizzes that have started. */
export function rememberList(gid, quizzes) {
  for (const q of quizzes || []) {
    if (q.started_seq == null) continue;
    const e = entry(gid, q.id);
    Object.assign(e, { title: q.title, host: q.host_user_id, questions: q.questions });
    e.started ??= { seq: q.started_seq, ts: q.started_at };
    if (q.finished_seq != null) e.finished ??= { seq: q.finished_seq, ts: q.finished_at };
  }
  invalidate('messages');
}

function onFrame(f) {
  if (f.type !== 'event' || (f.kind !== 'quiz_started' && f.kind !== 'quiz_finished')) return;
  const e = entry(f.group_id, f.quiz_id);
  if (f.title) e.title = f.title;
  if (f.kind === 'quiz_started') Object.assign(e, { host: f.host_user_id, questions: f.questions, started: { seq: f.seq, ts: f.ts } });
  else Object.assign(e, { finished: { seq: f.seq, ts: f.ts }, podium: (f.leaderboard || []).slice(0, 3) });
  invalidate('messages');
}

const nameOf = (id, fallback) => displayName(id, fallback) || fallback || 'Someone';
const PLACES = ['1st', '2nd', '3rd'];

function card(kind, label, main, ts, button) {
  return h('article', { class: `quiz-card quiz-card-${kind}`, 'aria-label': label },
    h('span', { class: 'quiz-card-badge', 'aria-hidden': 'true' }, kind === 'started' ? '🎯' : '🏆'),
    h('div', { class: 'quiz-card-main' }, main,
      h('p', { class: 'quiz-card-meta small muted' },
        h('time', { datetime: new Date(ts).toISOString() }, formatShort(ts)), button)));
}

function startedCard(gid, q) {
  const host = q.host === state.me?.id ? 'You' : nameOf(q.host);
  const live = !q.finished;
  return card('started', `Quiz “${q.title}” started`,
    h('p', null, h('strong', null, host), ' started the quiz ', h('strong', null, `“${q.title}”`),
      q.questions ? ` · ${q.questions} question${q.questions === 1 ? '' : 's'}` : ''),
    q.started.ts,
    h('button', { type: 'button', class: 'btn btn-small', onclick: () => openPlay(gid, q.id) }, live ? 'Join' : 'Results'));
}

function finishedCard(gid, q) {
  const podium = q.podium?.length
    ? h('ol', { class: 'quiz-card-podium' }, q.podium.map((p, i) => h('li', null,
      `${PLACES[i]} `, h('strong', null, p.user_id === state.me?.id ? 'you' : nameOf(p.user_id, p.display_name)), ` · ${p.score} points`)))
    : null;
  return card('finished', `Quiz “${q.title}” finished`,
    [h('p', null, 'The quiz ', h('strong', null, `“${q.title}”`), ' is over.'), podium],
    q.finished.ts,
    h('button', { type: 'button', class: 'btn btn-small', onclick: () => openPlay(gid, q.id) }, 'See the podium'));
}

function items(gid) {
  const out = [];
  for (const q of byGroup.get(gid)?.values() || []) {
    const sig = `${q.title}|${nameOf(q.host)}|${Boolean(q.finished)}|${state.me?.id}`;
    if (q.started) out.push({ seq: q.started.seq, ts: q.started.ts, key: `quiz-${gid}-${q.id}-s`, sig, build: () => startedCard(gid, q) });
    if (q.finished) {
      const podiumSig = (q.podium || []).map((p) => `${nameOf(p.user_id, p.display_name)}:${p.score}`).join(',');
      out.push({ seq: q.finished.seq, ts: q.finished.ts, key: `quiz-${gid}-${q.id}-f`, sig: `${sig}|${podiumSig}`, build: () => finishedCard(gid, q) });
    }
  }
  return out;
}

export function init(ctx) {
  invalidate = ctx.invalidate;
  openPlay = ctx.openPlay;
  on('frame', onFrame);
  on('timelineItems', items);
}
