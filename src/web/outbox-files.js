// SPDX-License-Identifier: MIT
// The files of messages in the outbox: a message with attachments not yet uploaded (written
// offline, a voice note, a file still waiting in the tray) keeps them as Blobs in IndexedDB
// (blob-store.js) under its client_msg_id. Once the server is reachable they are uploaded one
// by one, each attachment gets its id, and the message goes out through the ordinary outbox
// (app.js flushOutbox), whose client_msg_id makes the send happen exactly once.
//
// An upload cut by the network is redone from the start after the next `ready`; an upload the
// page never finished (tab closed) leaves an unattached file the server sweeps after 24 h.
import { actions, state } from './state.js';
import { on } from './hooks.js';
import { clearAll, deleteFiles, getFiles, keys, putFiles } from './blob-store.js';
import { uploadFile } from './upload.js';

let invalidate = () => {};
const memory = new Map();   // client_msg_id → [Blob|null…], while the page lives
const running = new Set();  // client_msg_ids being uploaded now
let retryTimer = null;

export function init(ctx) {
  invalidate = ctx.invalidate;
  on('queued', (item, blobs) => {
    if (blobs?.length) {
      memory.set(item.client_msg_id, blobs);
      putFiles(item.client_msg_id, blobs);
    }
    processAll();
  });
  on('retry', () => processAll());
  on('discarded', (cmid) => { memory.delete(cmid); deleteFiles(cmid); });
  on('frame', (f) => {
    if (f.type === 'ready') processAll();
    // Sent (acked, or seen come back): its files are the server's now, whichever path uploaded them.
    if ((f.type === 'ack' || (f.type === 'event' && f.kind === 'message')) && f.client_msg_id) {
      memory.delete(f.client_msg_id);
      deleteFiles(f.client_msg_id);
    }
  });
  on('session', () => { pruneOrphans(); processAll(); });
  on('signout', () => { memory.clear(); clearAll(); });
  window.addEventListener('online', () => processAll());
}

/** Files whose message left the outbox some other way (its group was left, discarded elsewhere). */
async function pruneOrphans() {
  for (const key of await keys()) if (!state.outbox.get(key)) deleteFiles(key);
}

/** Whether the message still has files to upload. */
const needsUpload = (item) => item.attachments?.some((a) => !a.id);

function processAll() {
  for (const item of state.outbox.items) {
    if (item.status === 'pending' && needsUpload(item) && !running.has(item.client_msg_id)) process(item);
  }
}

async function process(item) {
  const cmid = item.client_msg_id;
  running.add(cmid);
  try {
    const blobs = memory.get(cmid) || await getFiles(cmid);
    for (let i = 0; i < item.attachments.length; i += 1) {
      const a = item.attachments[i];
      if (a.id) continue;
      const blob = blobs?.[i];
      if (!blob) { fail(item, 'the file is no longer available on this device'); return; }
      const up = uploadFile(item.group_id, blob, a.name, (p) => { item._progress = p; invalidate('pending'); });
      item._abort = up.abort;
      const meta = await up.promise;
      if (state.outbox.get(cmid) !== item) return; // discarded meanwhile
      item.attachments[i] = meta;
      state.outbox.save();
    }
    memory.delete(cmid);
    deleteFiles(cmid);
    item._progress = undefined;
    invalidate('pending');
    actions.flushOutbox?.();
  } catch (e) {
    if (e?.code === 'aborted') return;
    if (e?.status === 0 || e?.status === 401) {
      // Offline, or the session is being renewed: the next `ready` or `online` tries again.
      item._progress = undefined;
      invalidate('pending');
    } else if (e?.code === 'rate_limited') {
      clearTimeout(retryTimer);
      retryTimer = setTimeout(processAll, Math.max(500, e.retry_after_ms || 1000));
    } else {
      fail(item, e?.message || 'upload failed');
    }
  } finally {
    item._abort = undefined;
    running.delete(cmid);
  }
}

function fail(item, message) {
  state.outbox.update(item.client_msg_id, { status: 'failed', error: message });
  invalidate('pending');
}
