// SPDX-License-Identifier: MIT
// Adding files to a message: the Attach button (and, on a phone, the camera), paste into the
// composer, drag-and-drop onto the conversation. Each file lands in the tray above the
// composer and starts uploading at once, with a progress bar and a cancel button; Send then
// takes the uploaded ids along (app.js asks `actions.composerFiles`). Offline, or when the
// network drops mid-upload, a file waits in the tray as "will upload when online" and goes
// with the message into the outbox (outbox-files.js uploads it once the server is back).
import { clear, h, icon, iconButton } from './dom.js';
import { on } from './hooks.js';
import { actions, state } from './state.js';
import { toast } from './panels.js';
import { formatSize, uploadFile } from './upload.js';

const MAX_FILES = 10; // a message names at most 10 attachments (the contract)

const trays = new Map();    // group id → [entry]; entry: {key,file,name,status,progress,meta?,error?,abort?,preview?}
let keySeq = 0;
let els = null;

export function init() {
  els = buildControls();
  on('composerTools', () => [els.attachBtn, els.cameraBtn, els.fileInput, els.cameraInput]);
  on('composerTray', () => els.tray);
  on('route', () => render());
  actions.composerFiles = takeTray;
  actions.addFiles = addFiles;
  document.addEventListener('paste', onPaste);
  document.addEventListener('dragover', onDragOver);
  document.addEventListener('dragleave', onDragLeave);
  document.addEventListener('drop', onDrop);
}

function buildControls() {
  const fileInput = h('input', { type: 'file', multiple: true, class: 'att-file-input', hidden: true, 'aria-label': 'Files to attach' });
  // capture= opens the camera straight away on a phone; desktops ignore it (the button is hidden there).
  const cameraInput = h('input', { type: 'file', accept: 'image/*', capture: 'environment', class: 'att-file-input', hidden: true, 'aria-label': 'Photo to attach' });
  const pick = (input) => () => { input.value = ''; input.click(); };
  const attachBtn = iconButton('clip', 'Attach files', pick(fileInput), { class: 'attach-btn' });
  const cameraBtn = iconButton('camera', 'Take a photo', pick(cameraInput), { class: 'camera-btn' });
  for (const input of [fileInput, cameraInput]) {
    input.addEventListener('change', () => { addFiles([...input.files]); input.value = ''; });
  }
  const tray = h('div', { class: 'att-tray', hidden: true, role: 'region', 'aria-label': 'Files to send' });
  return { fileInput, cameraInput, attachBtn, cameraBtn, tray };
}

const currentTray = () => {
  const gid = state.route.groupId;
  if (!gid) return null;
  if (!trays.has(gid)) trays.set(gid, []);
  return trays.get(gid);
};

/** Puts files in the open group's tray and starts uploading them. */
export function addFiles(files) {
  const gid = state.route.groupId;
  const tray = currentTray();
  if (!tray || !files.length) return;
  const room = MAX_FILES - tray.length;
  if (files.length > room) toast(`A message can carry at most ${MAX_FILES} files.`, 'error');
  for (const file of files.slice(0, Math.max(0, room))) {
    const entry = { key: ++keySeq, file, name: file.name || 'file', status: 'queued', progress: 0 };
    if (/^image\//.test(file.type)) entry.preview = URL.createObjectURL(file);
    tray.push(entry);
    if (navigator.onLine !== false) startUpload(gid, entry);
  }
  render();
}

function startUpload(gid, entry) {
  entry.status = 'uploading';
  entry.progress = 0;
  entry.error = undefined;
  const up = uploadFile(gid, entry.file, entry.name, (p) => { entry.progress = p; renderProgress(entry); });
  entry.abort = up.abort;
  up.promise.then((meta) => {
    entry.status = 'done';
    entry.meta = meta;
  }, (e) => {
    if (e.code === 'aborted') return;
    if (e.status === 0) entry.status = 'queued'; // offline: it goes with the message into the outbox
    else {
      entry.status = 'error';
      entry.error = e.message;
      // Too large or a refused type fails the same way again; a server hiccup may not.
      entry.retryable = e.code !== 'payload_too_large' && e.code !== 'bad_request';
    }
  }).finally(() => { entry.abort = undefined; render(); });
}

function removeEntry(gid, entry) {
  entry.abort?.();
  if (entry.preview) URL.revokeObjectURL(entry.preview);
  const tray = trays.get(gid) || [];
  const i = tray.indexOf(entry);
  if (i >= 0) tray.splice(i, 1);
  render();
  const next = els.tray.querySelector('.att-remove') || document.getElementById('composer-input');
  next?.focus();
}

/**
 * For app.js's send: null (no files), false (not ready: the user is told why), or the files
 * {attachments, blobs}; the tray is then emptied.
 */
function takeTray(gid) {
  const tray = trays.get(gid);
  if (!tray?.length) return null;
  if (tray.some((e) => e.status === 'uploading')) {
    toast('Wait until the files have uploaded, or cancel them.', 'info');
    return false;
  }
  if (tray.some((e) => e.status === 'error')) {
    toast('Remove the files that could not be uploaded first.', 'error');
    return false;
  }
  const attachments = tray.map((e) => e.meta || { name: e.name, size: e.file.size, mime: e.file.type || 'application/octet-stream' });
  const blobs = tray.map((e) => (e.meta ? null : e.file));
  for (const e of tray) if (e.preview) URL.revokeObjectURL(e.preview);
  trays.set(gid, []);
  render();
  return { attachments, blobs };
}

// ---------------------------------------------------------------------------------------
// The tray

function statusText(e) {
  switch (e.status) {
    case 'uploading': return `Uploading, ${Math.round(e.progress * 100)}%`;
    case 'done': return `Ready · ${formatSize(e.meta?.size ?? e.file.size)}`;
    case 'queued': return 'Will upload when online';
    default: return `Not uploaded: ${e.error}`;
  }
}

function render() {
  if (!els) return;
  const tray = state.route.groupId ? trays.get(state.route.groupId) || [] : [];
  els.tray.hidden = !tray.length;
  clear(els.tray);
  if (!tray.length) return;
  const gid = state.route.groupId;
  els.tray.append(h('ul', { class: 'att-tray-list' }, tray.map((e) => {
    const bar = h('progress', { class: 'att-progress', max: '1', 'aria-label': `Upload of ${e.name}` });
    bar.value = e.progress;
    e.bar = bar;
    e.statusEl = h('span', { class: ['att-status', e.status === 'error' && 'att-error'], role: e.status === 'error' ? 'alert' : null }, statusText(e));
    return h('li', { class: ['att-entry', `att-${e.status}`] },
      e.preview ? h('img', { class: 'att-entry-thumb', src: e.preview, alt: '' })
        : h('span', { class: 'att-entry-icon', 'aria-hidden': 'true' }, icon('file', 20)),
      h('span', { class: 'att-entry-text' },
        h('span', { class: 'att-name' }, e.name),
        e.statusEl,
        e.status === 'uploading' ? bar : null),
      e.status === 'error' && e.retryable ? h('button', { type: 'button', class: 'btn-link', onclick: () => startUpload(gid, e) }, 'Retry') : null,
      iconButton('close', e.status === 'uploading' ? `Cancel upload of ${e.name}` : `Remove ${e.name}`,
        () => removeEntry(gid, e), { class: 'att-remove', size: 16 }));
  })));
}

function renderProgress(e) {
  if (e.bar) e.bar.value = e.progress;
  if (e.statusEl) e.statusEl.textContent = statusText(e);
}

// ---------------------------------------------------------------------------------------
// Paste and drag-and-drop

function filesOf(dataTransfer) {
  if (!dataTransfer) return [];
  const files = [...(dataTransfer.files || [])];
  if (files.length) return files;
  return [...(dataTransfer.items || [])].filter((i) => i.kind === 'file').map((i) => i.getAsFile()).filter(Boolean);
}

function onPaste(e) {
  if (!e.target?.closest?.('.composer')) return;
  const files = filesOf(e.clipboardData);
  if (!files.length) return; // plain text pastes as usual
  e.preventDefault();
  // A pasted screenshot is called "image.png" by every browser: give it a useful name.
  addFiles(files.map((f) => (f.name && f.name !== 'image.png') ? f
    : new File([f], `pasted-${new Date().toISOString().replace(/[:.]/g, '-')}.${(f.type.split('/')[1] || 'png').replace(/[^a-z0-9]/g, '')}`, { type: f.type })));
}

const dropZone = (e) => (state.route.groupId ? e.target?.closest?.('.conversation') : null);
const hasFiles = (e) => [...(e.dataTransfer?.types || [])].includes('Files');

function onDragOver(e) {
  const zone = dropZone(e);
  if (!zone || !hasFiles(e)) return;
  e.preventDefault();
  e.dataTransfer.dropEffect = 'copy';
  zone.classList.add('drop-target');
}

function onDragLeave(e) {
  const zone = dropZone(e);
  if (zone && !zone.contains(e.relatedTarget)) zone.classList.remove('drop-target');
}

function onDrop(e) {
  const zone = dropZone(e);
  if (!zone) return;
  zone.classList.remove('drop-target');
  const files = filesOf(e.dataTransfer);
  if (!files.length) return;
  e.preventDefault();
  addFiles(files);
}
