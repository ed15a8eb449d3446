// SPDX-License-Identifier: MIT
// The database's epoch (docs/api.md): `ready` and GET /groups carry it, and the server makes
// a new one whenever its database is restored from a backup. After a restore from an older
// backup a group's seqs start over below what this browser remembers, and a seq alone cannot
// tell; the epoch can. The epoch is remembered in localStorage; when another one arrives,
// whatever this browser cached of the old history is dropped and the page reloads.

const KEY = 'peerchat.epoch';
let changed = () => {};

/** What to do when the epoch changes (the controller drops its caches and reloads). */
export function onEpochChange(fn) { changed = fn; }

/**
 * Notes the epoch of a `ready` frame or a GET /groups answer. Returns true when it differs
 * from the remembered one: the caller stops, as the page is about to reload.
 */
export function noteEpoch(epoch) {
  if (typeof epoch !== 'string' || !epoch) return false; // a server without epochs
  let known = null;
  try { known = localStorage.getItem(KEY); } catch { return false; } // no storage: nothing cached either
  if (known === epoch) return false;
  try { localStorage.setItem(KEY, epoch); } catch { return false; }
  if (known === null) return false; // the first one this browser sees
  changed(epoch);
  return true;
}
