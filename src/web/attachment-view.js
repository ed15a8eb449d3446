// SPDX-License-Identifier: MIT
// How a message's attachments look: images in a grid of thumbnails (sized from the server's
// width/height, so nothing jumps while they load) that open a full-screen viewer; audio and
// video as inline players; everything else as a card with name, type, size and a download.
import { h, icon, iconButton } from './dom.js';
import { formatDuration, formatSize } from './upload.js';

// The CSP (style-src 'self') refuses style="" attributes; a style set through the DOM is fine.
function withRatio(el, a) {
  if (a.width > 0 && a.height > 0) el.style.aspectRatio = `${a.width} / ${a.height}`;
  return el;
}

const src = (a) => `/api/v1/attachments/${encodeURIComponent(a.id)}`;
const thumbSrc = (a) => (a.thumb ? `${src(a)}/thumb` : src(a));

const isImage = (a) => /^image\//.test(a.mime || '') && (a.width > 0 || a.thumb);
const isAudio = (a) => /^audio\//.test(a.mime || '');
const isVideo = (a) => /^video\//.test(a.mime || '');

/** "PDF document", "ZIP file": a readable type for a file card. */
function typeLabel(a) {
  const ext = /\.([A-Za-z0-9]{1,8})$/.exec(a.name || '')?.[1]?.toUpperCase();
  if (a.mime === 'application/pdf') return 'PDF document';
  if (ext) return `${ext} file`;
  return a.mime || 'File';
}

/** The nodes for `attachments` (the message event's list); null when there are none. */
export function renderAttachments(attachments) {
  const list = Array.isArray(attachments) ? attachments.filter((a) => a && a.id) : [];
  if (!list.length) return null;
  const images = list.filter(isImage);
  const others = list.filter((a) => !isImage(a));
  const box = h('div', { class: 'attachments' });
  if (images.length) {
    box.append(h('div', { class: ['att-grid', images.length === 1 && 'single'], role: 'list', 'aria-label': `${images.length} image${images.length === 1 ? '' : 's'}` },
      images.map((a, i) => h('div', { role: 'listitem', class: 'att-cell' }, withRatio(h('button', {
        type: 'button', class: 'att-thumb', 'aria-label': `Open image ${a.name || ''}`.trim(),
        onclick: (e) => openViewer(images, i, e.currentTarget),
      }, h('img', {
        src: thumbSrc(a), alt: a.name || 'Image', loading: 'lazy', decoding: 'async',
        width: a.width || null, height: a.height || null,
      })), a)))));
  }
  for (const a of others) {
    if (isAudio(a)) {
      box.append(h('figure', { class: 'att-audio' },
        h('audio', { controls: true, preload: 'metadata', src: src(a), 'aria-label': `Voice note or audio ${a.name || ''}`.trim() }),
        h('figcaption', { class: 'att-meta' },
          a.duration_ms ? h('span', { class: 'att-duration' }, formatDuration(a.duration_ms)) : null,
          h('span', { class: 'att-name' }, a.name || 'Audio'),
          h('a', { href: src(a), download: a.name || '', class: 'att-dl', 'aria-label': `Download ${a.name || 'audio'}` }, icon('down', 16)))));
    } else if (isVideo(a)) {
      box.append(h('figure', { class: 'att-video' },
        withRatio(h('video', {
          controls: true, preload: 'metadata', src: src(a), playsinline: true, 'aria-label': `Video ${a.name || ''}`.trim(),
        }), a),
        h('figcaption', { class: 'att-meta' },
          a.duration_ms ? h('span', { class: 'att-duration' }, formatDuration(a.duration_ms)) : null,
          h('span', { class: 'att-name' }, a.name || 'Video'))));
    } else {
      // Named by its visible text (name, type, size) after a hidden "Download" (WCAG 2.5.3).
      box.append(h('a', { class: 'att-card', href: src(a), download: a.name || '' },
        h('span', { class: 'att-card-icon', 'aria-hidden': 'true' }, icon('file', 22)),
        h('span', { class: 'att-card-text' }, h('span', { class: 'sr-only' }, 'Download '),
          h('span', { class: 'att-name' }, a.name || 'File'),
          h('span', { class: 'att-card-sub' }, `${typeLabel(a)} · ${formatSize(a.size)}`)),
        h('span', { class: 'att-card-dl', 'aria-hidden': 'true' }, icon('down', 18))));
    }
  }
  return box;
}

// ---------------------------------------------------------------------------------------
// The full-screen viewer: one <dialog> (modal: focus is trapped, Esc closes it, and focus
// goes back to the thumbnail that opened it).

function openViewer(images, start, opener) {
  let index = start;
  const img = h('img', { class: 'viewer-img', alt: '' });
  const caption = h('p', { class: 'viewer-caption', id: 'viewer-caption' });
  const prev = iconButton('back', 'Previous image', () => show(index - 1), { class: 'viewer-prev' });
  const next = iconButton('back', 'Next image', () => show(index + 1), { class: 'viewer-next' });
  const close = iconButton('close', 'Close viewer', () => dialog.close(), { class: 'viewer-close' });
  const download = h('a', { class: 'viewer-dl btn btn-small', download: '' }, icon('down', 16), 'Download');
  const dialog = h('dialog', { class: 'viewer', 'aria-label': 'Image viewer', 'aria-describedby': 'viewer-caption' },
    h('div', { class: 'viewer-bar' }, caption, download, close),
    h('div', { class: 'viewer-stage' }, prev, img, next));
  function show(i) {
    index = (i + images.length) % images.length;
    const a = images[index];
    img.src = src(a);
    img.alt = a.name || 'Image';
    img.style.aspectRatio = '';
    withRatio(img, a);
    caption.textContent = images.length > 1 ? `${a.name || 'Image'} (${index + 1} of ${images.length})` : (a.name || 'Image');
    download.href = src(a);
    download.setAttribute('download', a.name || '');
    prev.hidden = next.hidden = images.length < 2;
  }
  dialog.addEventListener('keydown', (e) => {
    if (e.key === 'ArrowLeft' && images.length > 1) { e.preventDefault(); show(index - 1); }
    else if (e.key === 'ArrowRight' && images.length > 1) { e.preventDefault(); show(index + 1); }
  });
  // A click on the backdrop (outside the image and the bar) closes it too.
  dialog.addEventListener('click', (e) => { if (e.target === dialog || e.target.classList.contains('viewer-stage')) dialog.close(); });
  dialog.addEventListener('close', () => { dialog.remove(); if (opener?.isConnected) opener.focus(); });
  show(index);
  document.body.append(dialog);
  dialog.showModal();
  close.focus();
}
