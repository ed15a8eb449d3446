// SPDX-License-Identifier: MIT
// Extension points between the controller and views (app.js, chat.js) and the capability
// modules (notifications, focus, read sync, mentions…). The controller announces what
// happened (`emit`); views ask the modules for extra nodes to show (`collect`). A module
// registers with `on`, so adding one costs app.js an import and one init line.
//
// Events emitted:
//   'frame' (frame)          every server frame, after the controller applied it
//   'sent' (groupId)         the user sent a message
//   'session' (me)           a session started (signed in, page loaded while signed in)
//   'signout' ()             the user is signing out (before the session ends)
//   'route' (groupId|null)   the main screen shows another group (or none)
//   'rendered' (groupId, listEl)   the message list of the open group was (re)rendered
//   'queued' (item, blobs)   a message with attachments entered the outbox (blobs: files not yet uploaded)
//   'retry' (item)           the user retries a failed message
//   'discarded' (cmid)       the user discarded an unsent message
// Slots collected (each returns nodes, or null):
//   'sidebarTools' ()        buttons in the sidebar's header
//   'infoSections' (group)   sections in a group's details panel, redrawn when your role changes (group-export.js)
//   'accountSections' ()     sections at the end of the account screen (delete-account.js)
//   'convHead' (group)       buttons in the conversation's header
//   'mainBanner' ()          a notice above the group list
//   'composerTools' ()       buttons before the composer's input (attach, camera, microphone)
//   'composerTray' ()        above the composer's input (files to send, the recording bar)
//   'meTools' ()             buttons beside your own name at the foot of the sidebar (account.js)
//   'memberControls' (member, group)   buttons beside a member in a group's member list (direct.js)
//   'messageParts' (gid, group, m)     nodes at the foot of a live message (a question's state, its accepted
//                            answer). A message's node is rebuilt only when m._v changes: a module that
//                            changes what it shows for m does `m._v++` and invalidates 'messages'.
//   'messageActions' (gid, group, m)   buttons in a message's action bar (mark as question, save to library)
//   'timelineItems' (gid)    cards placed in the conversation among the messages by seq:
//                            {seq, ts, key, sig, build}; build() makes the node, called again only when
//                            sig changes (kudos, polls, quizzes). Invalidate 'messages' to redraw.

const listeners = new Map();

export function on(name, fn) {
  if (!listeners.has(name)) listeners.set(name, []);
  listeners.get(name).push(fn);
}

/** Calls every listener; one that throws is reported and does not stop the others. */
export function emit(name, ...args) {
  for (const fn of listeners.get(name) || []) {
    try { fn(...args); } catch (err) { console.warn(`peerchat: ${name} hook failed`, err); }
  }
}

/** The nodes every listener of a slot returns, flattened, without nulls. */
export function collect(name, ...args) {
  const out = [];
  for (const fn of listeners.get(name) || []) {
    try {
      const r = fn(...args);
      if (Array.isArray(r)) out.push(...r.filter(Boolean));
      else if (r) out.push(r);
    } catch (err) { console.warn(`peerchat: ${name} slot failed`, err); }
  }
  return out;
}
