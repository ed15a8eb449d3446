// SPDX-License-Identifier: MIT
// Files of messages waiting in the outbox, kept in IndexedDB (localStorage holds only text)
// under their message's client_msg_id, so a reload or a closed tab does not lose them.
// Every call resolves, never rejects: without IndexedDB (private mode) the files simply live
// only as long as the page.

const DB = 'peerchat-outbox-files';
const STORE = 'files';

let dbPromise = null;

function open() {
  if (!dbPromise) {
    dbPromise = new Promise((resolve) => {
      try {
        const req = indexedDB.open(DB, 1);
        req.onupgradeneeded = () => req.result.createObjectStore(STORE);
        req.onsuccess = () => resolve(req.result);
        req.onerror = () => resolve(null);
      } catch { resolve(null); }
    });
  }
  return dbPromise;
}

function run(mode, fn) {
  return open().then((db) => new Promise((resolve) => {
    if (!db) { resolve(undefined); return; }
    try {
      const tx = db.transaction(STORE, mode);
      const req = fn(tx.objectStore(STORE));
      tx.oncomplete = () => resolve(req.result);
      tx.onerror = () => resolve(undefined);
      tx.onabort = () => resolve(undefined);
    } catch { resolve(undefined); }
  }));
}

/** Keeps `blobs` (one per attachment slot; null where already uploaded) for a message. */
export function putFiles(clientMsgId, blobs) { return run('readwrite', (s) => s.put(blobs, clientMsgId)); }

/** The blobs kept for a message, or undefined. */
export function getFiles(clientMsgId) { return run('readonly', (s) => s.get(clientMsgId)); }

export function deleteFiles(clientMsgId) { return run('readwrite', (s) => s.delete(clientMsgId)); }

/** Every message id with files kept here. */
export function keys() { return run('readonly', (s) => s.getAllKeys()).then((k) => k || []); }

/** Forgets every kept file (signing out discards the outbox). */
export function clearAll() { return run('readwrite', (s) => s.clear()); }
