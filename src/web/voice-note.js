// SPDX-License-Identifier: MIT
// Voice notes: the microphone button next to the composer. A tap starts recording (a bar shows
// the elapsed time, "Stop and send" and "Cancel"); on a touch screen, holding the button
// records until it is released (release sends; sliding away or Esc cancels). The microphone
// is asked for only when the button is pressed. The recording is Opus in WebM where the
// browser can (Chromium, Firefox), else AAC in MP4 (Safari), and goes out as an attachment
// through the outbox like any file (outbox-files.js), so it also survives being offline.
import { clear, h, icon, iconButton } from './dom.js';
import { on } from './hooks.js';
import { actions, state } from './state.js';
import { toast } from './panels.js';
import { formatDuration } from './upload.js';

const HOLD_MS = 350;          // a press longer than this is hold-to-record
const SLIDE_CANCEL_PX = 80;   // sliding this far from the button cancels a held recording
const MAX_MS = 15 * 60 * 1000; // a voice note stops by itself after 15 minutes

let btn = null;
let bar = null;
let rec = null;   // {recorder, stream, chunks, started, timer, gid, mime, cancelled}
let press = null; // {x, y, t} while a touch holds the button
let skipClick = false;

export function init() {
  if (!navigator.mediaDevices?.getUserMedia || typeof MediaRecorder === 'undefined') return;
  btn = iconButton('mic', 'Record a voice note', onClick, { class: 'mic-btn', 'aria-pressed': 'false' });
  btn.addEventListener('pointerdown', onPointerDown);
  btn.addEventListener('pointermove', onPointerMove);
  btn.addEventListener('pointerup', onPointerUp);
  btn.addEventListener('pointercancel', () => { if (press) { press = null; cancel(); } });
  bar = h('div', { class: 'voice-bar', hidden: true, role: 'group', 'aria-label': 'Recording a voice note' });
  on('composerTools', () => btn);
  on('composerTray', () => bar);
  on('route', () => { if (rec && rec.gid !== state.route.groupId) cancel(); });
  document.addEventListener('keydown', (e) => { if (rec && e.key === 'Escape') { e.preventDefault(); cancel(); } });
}

/** The container and file extension this browser records in. */
function recordingFormat() {
  for (const [mime, ext] of [['audio/webm;codecs=opus', 'webm'], ['audio/webm', 'webm'], ['audio/mp4', 'm4a'], ['audio/ogg;codecs=opus', 'ogg']]) {
    if (MediaRecorder.isTypeSupported?.(mime)) return { mime, ext };
  }
  return { mime: '', ext: 'webm' };
}

function onClick() {
  if (skipClick) { skipClick = false; return; }
  if (rec) stopAndSend();
  else start();
}

function onPointerDown(e) {
  if (e.pointerType !== 'touch' || rec) return;
  press = { x: e.clientX, y: e.clientY, t: Date.now() };
  btn.setPointerCapture?.(e.pointerId);
  start();
}

function onPointerMove(e) {
  if (!press) return;
  if (Math.hypot(e.clientX - press.x, e.clientY - press.y) > SLIDE_CANCEL_PX) { press = null; skipClick = true; cancel(); }
}

function onPointerUp() {
  if (!press) return;
  const held = Date.now() - press.t >= HOLD_MS;
  press = null;
  skipClick = true; // the click that follows belongs to this press
  if (held) stopAndSend(); // a quick tap leaves the recording running, with its bar
}

async function start() {
  const gid = state.route.groupId;
  if (!gid || rec) return;
  const { mime, ext } = recordingFormat();
  rec = { gid, ext, chunks: [], starting: true };
  const mine = rec;
  render();
  let stream;
  try {
    stream = await navigator.mediaDevices.getUserMedia({ audio: true });
  } catch (e) {
    if (rec === mine) rec = null;
    render();
    toast(e?.name === 'NotAllowedError' ? 'peerchat may not use the microphone. Allow it in the browser’s site settings.'
      : 'No microphone is available.', 'error');
    return;
  }
  if (rec !== mine) { stream.getTracks().forEach((t) => t.stop()); return; } // cancelled while asking
  const recorder = new MediaRecorder(stream, mime ? { mimeType: mime } : undefined);
  Object.assign(rec, { stream, recorder, started: Date.now(), starting: false });
  recorder.addEventListener('dataavailable', (e) => { if (e.data?.size) mine.chunks.push(e.data); });
  recorder.addEventListener('stop', () => finish(mine));
  recorder.start(1000);
  rec.timer = setInterval(() => {
    renderElapsed();
    if (Date.now() - mine.started > MAX_MS) stopAndSend();
  }, 250);
  render();
}

function stopAndSend() {
  if (!rec) return;
  if (rec.starting) { cancel(); return; }
  rec.recorder.stop(); // finish() runs on the 'stop' event, after the last data
}

function cancel() {
  if (!rec) return;
  rec.cancelled = true;
  if (rec.recorder && rec.recorder.state !== 'inactive') rec.recorder.stop();
  else cleanup(rec);
  btn?.focus();
}

function cleanup(r) {
  clearInterval(r.timer);
  r.stream?.getTracks().forEach((t) => t.stop());
  if (rec === r) rec = null;
  render();
}

function finish(r) {
  cleanup(r);
  if (r.cancelled || !r.chunks.length) return;
  const type = (r.recorder.mimeType || r.chunks[0].type || 'audio/webm').split(';')[0];
  const stamp = new Date(r.started).toISOString().replace(/\.\d+Z$/, '').replace(/[:T]/g, '-');
  const file = new File(r.chunks, `voice-note-${stamp}.${r.ext}`, { type });
  actions.send(r.gid, '', null, { attachments: [{ name: file.name, size: file.size, mime: type }], blobs: [file] });
  btn?.focus();
}

function renderElapsed() {
  const t = bar?.querySelector('.voice-elapsed');
  if (t && rec?.started) t.textContent = formatDuration(Date.now() - rec.started);
}

function render() {
  if (!btn) return;
  const on = !!rec;
  btn.classList.toggle('recording', on);
  btn.setAttribute('aria-pressed', String(on));
  btn.setAttribute('aria-label', on ? 'Stop and send the voice note' : 'Record a voice note');
  btn.title = btn.getAttribute('aria-label');
  bar.hidden = !on;
  clear(bar);
  if (!on) return;
  bar.append(
    h('span', { class: 'voice-dot', 'aria-hidden': 'true' }),
    h('span', { class: 'voice-label' }, rec.starting ? 'Waiting for the microphone…' : 'Recording'),
    h('span', { class: 'voice-elapsed', role: 'timer', 'aria-label': 'Elapsed time' }, '0:00'),
    h('span', { class: 'voice-hint muted' }, 'Esc to cancel'),
    h('button', { type: 'button', class: 'btn btn-small', onclick: () => cancel() }, 'Cancel'),
    h('button', { type: 'button', class: 'btn btn-small btn-primary voice-send', onclick: () => stopAndSend() },
      icon('stop', 14), 'Stop and send'));
  renderElapsed();
}
