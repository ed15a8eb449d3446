// SPDX-License-Identifier: MIT
// The live quiz (docs/community.md): build a quiz (questions, 2–6 options, the correct ones,
// seconds), start it, and play it on a phone-first screen. The server runs the clock: the
// countdown starts from the server's remaining_ms (never the phone's clock) and is re-synced with
// GET of the quiz on every question, which is also how a reconnect mid-question finds its place.

import { request } from './api.js';
import { clear, h, iconButton } from './dom.js';
import { on } from './hooks.js';
import { toast } from './panels.js';
import * as cards from './quiz-cards.js';
import { state } from './state.js';

let gateway = null;
let invalidate = () => {};
let play = null;            // the open play screen: {gid, quiz, dlg, body, status, deadline, timer, view}
const running = new Map();  // group id → id of its running quiz (from frames and lists)
const syncing = new Set();  // quiz ids with a GET in flight

const LETTERS = ['A', 'B', 'C', 'D', 'E', 'F'];
/** Records which quiz runs in a group; the header's Quiz button shows "live" while one does. */
function setRunning(gid, quizId) {
  if ((running.get(gid) ?? null) === (quizId ?? null)) return;
  if (quizId == null) running.delete(gid); else running.set(gid, quizId);
  invalidate('conv');
}

const quizPath = (gid, id = '') => `/groups/${encodeURIComponent(gid)}/quizzes${id === '' ? '' : `/${id}`}`;

// ---------------------------------------------------------------------------------------------
// Building a quiz

function questionEditor(n, remove) {
  const fieldset = h('fieldset', { class: 'quiz-q' });
  const legend = h('legend', null, `Question ${n}`);
  const text = h('textarea', { rows: 2, maxlength: 500, required: true, 'aria-label': `Question ${n} text`, class: 'quiz-q-text' });
  const seconds = h('select', { 'aria-label': `Seconds for question ${n}`, class: 'quiz-q-seconds' },
    [10, 15, 20, 30, 45, 60, 90, 120].map((s) => h('option', { value: s, selected: s === 20 }, `${s} s`)));
  const options = h('ol', { class: 'quiz-opts' });
  const addOption = () => {
    const i = options.children.length;
    if (i >= 6) return;
    const li = h('li', { class: 'quiz-opt' },
      h('input', { type: 'text', maxlength: 200, required: true, class: 'quiz-opt-text', 'aria-label': `Question ${n}, option ${LETTERS[i]}` }),
      h('label', { class: 'quiz-opt-correct' }, h('input', { type: 'checkbox', class: 'quiz-opt-check' }), 'Correct'));
    options.append(li);
    addBtn.disabled = options.children.length >= 6;
  };
  const addBtn = h('button', { type: 'button', class: 'btn btn-small', onclick: addOption }, 'Add option');
  fieldset.append(legend, text, options,
    h('div', { class: 'row quiz-q-foot' }, addBtn, seconds,
      remove ? h('button', { type: 'button', class: 'btn btn-small', onclick: () => remove(fieldset) }, 'Remove question') : null));
  addOption();
  addOption();
  return fieldset;
}

function readQuestions(list) {
  const out = [];
  for (const fs of list.querySelectorAll('.quiz-q')) {
    const opts = [...fs.querySelectorAll('.quiz-opt')];
    out.push({
      text: fs.querySelector('.quiz-q-text').value.trim(),
      options: opts.map((li) => li.querySelector('.quiz-opt-text').value.trim()),
      correct: opts.map((li, i) => (li.querySelector('.quiz-opt-check').checked ? i : -1)).filter((i) => i >= 0),
      seconds: Number(fs.querySelector('.quiz-q-seconds').value),
    });
  }
  return out;
}

export function openBuilder(gid) {
  const title = h('input', { type: 'text', id: 'quiz-title', maxlength: 200, required: true });
  const list = h('div', { class: 'quiz-questions' });
  const error = h('p', { class: 'error-text', role: 'alert' });
  const renumber = () => [...list.children].forEach((fs, i) => { fs.querySelector('legend').textContent = `Question ${i + 1}`; });
  const remove = (fs) => { if (list.children.length > 1) { fs.remove(); renumber(); } };
  const addQuestion = () => { list.append(questionEditor(list.children.length + 1, remove)); };
  addQuestion();
  const form = h('form', { class: 'quiz-builder' },
    h('label', { for: 'quiz-title' }, 'Title'), title, list,
    h('button', { type: 'button', class: 'btn', onclick: addQuestion }, 'Add question'),
    error,
    h('div', { class: 'dialog-actions' },
      h('button', { type: 'button', class: 'btn', onclick: () => dlg.close() }, 'Cancel'),
      h('button', { type: 'submit', class: 'btn btn-primary' }, 'Save draft')));
  const dlg = h('dialog', { class: 'dialog dialog-wide quiz-dialog', 'aria-labelledby': 'quiz-builder-title' },
    h('div', { class: 'dialog-head' }, h('h2', { id: 'quiz-builder-title' }, 'New quiz'),
      iconButton('close', 'Close', () => dlg.close(), { size: 18 })),
    form);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const questions = readQuestions(list);
    const missing = questions.findIndex((q) => !q.correct.length);
    if (missing >= 0) { error.textContent = `Mark the correct option of question ${missing + 1}.`; return; }
    try {
      await request('POST', quizPath(gid), { title: title.value.trim(), questions });
      dlg.close();
      openQuizzes(gid);
    } catch (err) { error.textContent = err.message; }
  });
  dlg.addEventListener('close', () => dlg.remove());
  document.body.append(dlg);
  dlg.showModal();
}

// ---------------------------------------------------------------------------------------------
// The group's quizzes: drafts to start, the running one to join, finished ones' podiums

const STATE_LABEL = { draft: 'Draft', question: 'Live', results: 'Live', finished: 'Finished' };

export async function openQuizzes(gid) {
  const listEl = h('ul', { class: 'quiz-list', 'aria-labelledby': 'quiz-list-title' });
  const status = h('p', { class: 'muted', role: 'status' }, 'Loading…');
  const dlg = h('dialog', { class: 'dialog dialog-wide quiz-dialog', 'aria-labelledby': 'quiz-list-title' },
    h('div', { class: 'dialog-head' }, h('h2', { id: 'quiz-list-title' }, 'Quizzes'),
      iconButton('close', 'Close quizzes', () => dlg.close(), { size: 18 })),
    h('p', null, h('button', { type: 'button', class: 'btn btn-primary', onclick: () => { dlg.close(); openBuilder(gid); } }, 'New quiz')),
    listEl, status);
  dlg.addEventListener('close', () => dlg.remove());
  document.body.append(dlg);
  dlg.showModal();
  try {
    const res = await request('GET', `${quizPath(gid)}?limit=50`);
    for (const q of res.quizzes || []) {
      const actions = [];
      if (q.state === 'draft') {
        actions.push(h('button', { type: 'button', class: 'btn btn-primary btn-small', onclick: async () => {
          try { await request('POST', `${quizPath(gid, q.id)}/start`); dlg.close(); openPlay(gid, q.id); } catch (err) { toast(err.message, 'error'); }
        } }, `Start “${q.title}”`));
        actions.push(h('button', { type: 'button', class: 'btn btn-small', onclick: async () => {
          try { await request('DELETE', quizPath(gid, q.id)); dlg.close(); openQuizzes(gid); } catch (err) { toast(err.message, 'error'); }
        } }, 'Delete'));
      } else {
        actions.push(h('button', { type: 'button', class: 'btn btn-small', onclick: () => { dlg.close(); openPlay(gid, q.id); } },
          q.state === 'finished' ? `Results of “${q.title}”` : `Join “${q.title}”`));
      }
      listEl.append(h('li', { class: 'quiz-list-item' },
        h('span', { class: 'quiz-list-title' }, q.title),
        h('span', { class: `quiz-badge quiz-badge-${q.state}` }, STATE_LABEL[q.state] || q.state),
        h('span', { class: 'muted small' }, `${q.questions} question${q.questions === 1 ? '' : 's'}`),
        h('span', { class: 'row' }, actions)));
    }
    status.textContent = listEl.children.length ? '' : 'No quizzes yet. Make one for your next workshop.';
  } catch (err) { status.textContent = err.message; }
}

// ---------------------------------------------------------------------------------------------
// Playing

function closePlay() {
  if (!play) return;
  clearInterval(play.timer);
  const dlg = play.dlg;
  play = null;
  if (dlg.open) dlg.close();
  dlg.remove();
}

export function openPlay(gid, quizId) {
  if (play && play.quiz === quizId) return sync(quizId);
  closePlay();
  const body = h('div', { class: 'quiz-play-body' });
  const status = h('p', { class: 'quiz-status', role: 'status', 'aria-live': 'polite' });
  const titleEl = h('h2', { id: 'quiz-play-title' }, 'Quiz');
  const dlg = h('dialog', { class: 'dialog quiz-play', 'aria-labelledby': 'quiz-play-title' },
    h('div', { class: 'dialog-head' }, titleEl, iconButton('close', 'Leave the quiz screen', () => closePlay(), { size: 18 })),
    body, status);
  dlg.addEventListener('cancel', (e) => { e.preventDefault(); closePlay(); });
  document.body.append(dlg);
  dlg.showModal();
  play = { gid, quiz: quizId, dlg, body, status, titleEl, deadline: 0, timer: 0, view: null, picked: new Set() };
  sync(quizId);
}

/** GET of the quiz: the state, the time left on the server's clock, the caller's own answers. */
async function sync(quizId) {
  if (!play || play.quiz !== quizId || syncing.has(quizId)) return;
  syncing.add(quizId);
  try {
    const view = await request('GET', quizPath(play.gid, quizId));
    if (play && play.quiz === quizId) render(view);
  } catch (err) {
    if (play) play.status.textContent = err.message;
  } finally { syncing.delete(quizId); }
}

function myAnswer(view, index) { return (view.my_answers || []).find((a) => a.index === index); }
const isHost = (view) => view.host_user_id === state.me?.id;

function countdown(remainingMs, seconds) {
  // A monotonic local deadline from the server's remaining time: the phone's wall clock may be off.
  play.deadline = performance.now() + remainingMs;
  const num = h('span', { class: 'quiz-count-num' });
  const bar = h('span', { class: 'quiz-count-bar' });
  const el = h('div', { class: 'quiz-count', role: 'timer', 'aria-label': 'Time left' }, num, h('span', { class: 'quiz-count-track' }, bar));
  const tick = () => {
    const left = Math.max(0, play.deadline - performance.now());
    num.textContent = `${Math.ceil(left / 1000)}`;
    bar.style.width = `${Math.min(100, (100 * left) / (seconds * 1000))}%`;
    if (left <= 0) {
      clearInterval(play.timer);
      for (const b of play.body.querySelectorAll('.quiz-answer, .quiz-submit')) b.disabled = true;
      if (!myAnswer(play.view, play.view.index)) play.status.textContent = 'Time is up. The results are coming.';
    }
  };
  clearInterval(play.timer);
  play.timer = setInterval(tick, 100);
  tick();
  return el;
}

function sendAnswer(view, choice) {
  const ok = gateway.send({ type: 'quiz_answer', quiz_id: view.id, index: view.index, choice, ref: `quiz-${view.id}-${view.index}` });
  if (!ok) { play.status.textContent = 'Not connected. Reconnecting…'; return; }
  for (const b of play.body.querySelectorAll('.quiz-answer, .quiz-submit')) b.disabled = true;
  play.status.textContent = 'Sending your answer…';
}

function renderQuestion(view) {
  const q = view.question;
  const mine = myAnswer(view, q.index);
  const host = isHost(view);
  play.picked = new Set();
  const buttons = q.options.map((text, i) => h('button', {
    type: 'button', class: ['quiz-answer', `quiz-c${i}`, mine?.choice.includes(i) && 'is-picked'],
    disabled: Boolean(mine) || host, 'aria-pressed': q.multiple ? 'false' : null,
    onclick: (e) => {
      if (!q.multiple) return sendAnswer(view, [i]);
      if (play.picked.has(i)) play.picked.delete(i); else play.picked.add(i);
      e.currentTarget.setAttribute('aria-pressed', String(play.picked.has(i)));
      e.currentTarget.classList.toggle('is-picked', play.picked.has(i));
    },
  }, h('span', { class: 'quiz-letter', 'aria-hidden': 'true' }, LETTERS[i]), h('span', null, text)));
  const parts = [
    h('p', { class: 'quiz-progress muted' }, `Question ${q.index + 1} of ${view.questions}`),
    countdown(q.remaining_ms, q.seconds),
    h('p', { class: 'quiz-question' }, q.text),
    q.multiple ? h('p', { class: 'muted small' }, 'Several answers are right: pick them all, then send.') : null,
    h('div', { class: 'quiz-answers' }, buttons),
  ];
  if (q.multiple && !mine && !host) {
    parts.push(h('button', { type: 'button', class: 'btn btn-primary quiz-submit', onclick: () => {
      if (!play.picked.size) { play.status.textContent = 'Pick at least one answer.'; return; }
      sendAnswer(view, [...play.picked].sort());
    } }, 'Send answer'));
  }
  if (host) parts.push(hostBar(view));
  play.status.textContent = mine ? 'Answer locked in. Wait for the results.' : host ? 'You are the host: the players are answering.' : '';
  return parts;
}

function board(list, max) {
  return h('ol', { class: 'quiz-board' }, (list || []).slice(0, max).map((e) => h('li', { class: e.user_id === state.me?.id ? 'is-me' : null },
    h('span', { class: 'quiz-board-name' }, e.display_name || `User ${e.user_id}`), h('span', { class: 'quiz-board-score' }, String(e.score)))));
}

function renderResults(view) {
  const c = view.closed;
  const mine = myAnswer(view, c.index);
  const total = Math.max(1, c.answered);
  const rows = c.options.map((text, i) => h('li', { class: ['quiz-result', c.correct.includes(i) && 'is-correct'] },
    h('span', { class: 'quiz-letter', 'aria-hidden': 'true' }, LETTERS[i]),
    h('span', { class: 'quiz-result-text' }, text, c.correct.includes(i) ? h('span', { class: 'quiz-right' }, ' ✓ right answer') : null),
    h('span', { class: 'quiz-result-count' }, `${c.counts[i]}`),
    h('span', { class: 'quiz-result-bar', style: `width:${(100 * c.counts[i]) / total}%` })));
  const verdict = isHost(view) ? null : !mine ? 'You did not answer this one.' : mine.correct ? `Right! +${mine.score} points` : 'Not this time.';
  play.status.textContent = verdict || '';
  return [
    h('p', { class: 'quiz-progress muted' }, `Question ${c.index + 1} of ${view.questions}: results`),
    h('p', { class: 'quiz-question' }, c.text),
    h('ul', { class: 'quiz-results' }, rows),
    verdict ? h('p', { class: ['quiz-verdict', mine?.correct && 'is-right'] }, verdict) : null,
    h('h3', null, 'Leaderboard'), board(view.leaderboard, 5),
    isHost(view) ? hostBar(view) : h('p', { class: 'muted small' }, 'The host moves on to the next question.'),
  ];
}

function renderPodium(view) {
  const lb = view.leaderboard || [];
  const places = [1, 0, 2].filter((i) => lb[i]).map((i) => h('li', { class: `quiz-podium-step quiz-place-${i + 1}` },
    h('span', { class: 'quiz-podium-name' }, lb[i].display_name || `User ${lb[i].user_id}`),
    h('span', { class: 'quiz-podium-score' }, `${lb[i].score} points`),
    h('span', { class: 'quiz-podium-block' }, ['1st', '2nd', '3rd'][i])));
  play.status.textContent = isHost(view) ? 'Thanks for hosting!' : `You scored ${view.my_score} points.`;
  return [
    h('h3', { class: 'quiz-podium-title' }, 'Podium'),
    lb.length ? h('ol', { class: 'quiz-podium', 'aria-label': 'Podium' }, places) : h('p', null, 'Nobody answered.'),
    lb.length > 3 ? [h('h3', null, 'Everyone'), board(lb, 20)] : null,
    h('p', null, h('button', { type: 'button', class: 'btn', onclick: () => closePlay() }, 'Close')),
  ];
}

function hostBar(view) {
  const step = (what) => async () => {
    try { await request('POST', `${quizPath(play.gid, view.id)}/${what}`); } catch (err) { toast(err.message, 'error'); }
  };
  const last = view.closed?.last;
  return h('div', { class: 'row quiz-host' },
    view.state === 'results' ? h('button', { type: 'button', class: 'btn btn-primary', onclick: step('next') }, last ? 'Show the podium' : 'Next question') : null,
    h('button', { type: 'button', class: 'btn', onclick: step('end') }, 'End quiz'));
}

function render(view) {
  play.view = view;
  play.titleEl.textContent = view.title;
  if (view.state !== 'question') clearInterval(play.timer);
  let parts;
  if (view.state === 'question') parts = renderQuestion(view);
  else if (view.state === 'results') parts = renderResults(view);
  else if (view.state === 'finished') parts = renderPodium(view);
  else parts = [h('p', null, 'This quiz has not started yet.'), isHost(view) ? h('button', { type: 'button', class: 'btn btn-primary', onclick: async () => {
    try { await request('POST', `${quizPath(play.gid, view.id)}/start`); } catch (err) { toast(err.message, 'error'); }
  } }, 'Start') : null];
  clear(play.body).append(...parts.flat().filter(Boolean));
  setRunning(play.gid, view.state === 'finished' || view.state === 'draft' ? null : view.id);
}

function onFrame(f) {
  if (f.type === 'quiz_answer_ack' && play && f.quiz_id === play.quiz) {
    play.status.textContent = 'Answer locked in. Wait for the results.';
    sync(play.quiz);
    return;
  }
  if (f.type === 'error' && typeof f.ref === 'string' && f.ref.startsWith('quiz-') && play) {
    play.status.textContent = f.code === 'conflict' ? `Not counted: ${f.message}` : f.message;
    sync(play.quiz);
    return;
  }
  if (f.type !== 'event' || !String(f.kind).startsWith('quiz_')) return;
  setRunning(f.group_id, f.kind === 'quiz_finished' ? null : f.quiz_id);
  if (play && play.quiz === f.quiz_id) {
    // Count down at once from the event, then re-sync with GET: a replayed event's remaining_ms is old.
    if (f.kind === 'quiz_question' && play.view) {
      render({ ...play.view, state: 'question', index: f.index,
        question: { index: f.index, text: f.text, options: f.options, multiple: f.multiple, seconds: f.seconds, remaining_ms: f.remaining_ms } });
    }
    sync(f.quiz_id);
    return;
  }
  // A quiz that starts in the group on screen opens its play screen (live frames only: an old
  // quiz replayed after a reconnect is found through GET when the group opens).
  if (f.kind === 'quiz_started' && state.route.groupId === f.group_id && Date.now() - f.ts < 60_000) openPlay(f.group_id, f.quiz_id);
}

async function onRoute(gid) {
  if (gid == null) return;
  try {
    const res = await request('GET', `${quizPath(gid)}?limit=20`);
    cards.rememberList(gid, res.quizzes);
    const live = (res.quizzes || []).find((q) => q.state === 'question' || q.state === 'results');
    setRunning(gid, live ? live.id : null);
    if (live) {
      if (state.route.groupId === gid && !play) openPlay(gid, live.id);  // back mid-quiz: straight to it
    }
  } catch { /* the button still opens the list */ }
}

export function init(ctx) {
  gateway = ctx.gateway;
  invalidate = ctx.invalidate;
  on('frame', onFrame);
  on('route', onRoute);
  cards.init({ invalidate, openPlay });
  on('convHead', (group) => {
    if (!group || group.kind === 'direct') return null;
    const live = running.get(group.id);
    return h('button', { type: 'button', class: ['btn btn-small quiz-head-btn', live && 'is-live'], 'aria-haspopup': 'dialog',
      onclick: () => (live ? openPlay(group.id, live) : openQuizzes(group.id)) }, live ? 'Quiz (live)' : 'Quiz');
  });
}
