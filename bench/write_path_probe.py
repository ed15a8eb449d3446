#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""What the store's per-message SQLite work costs today, and what a one-row-per-message write
path would cost: the same sends (100 groups x 10 members, 100-byte bodies, batches of --batch
in one transaction, WAL, synchronous=FULL) against two schemas, CPU time per message.

  python3 bench/write_path_probe.py [--messages N] [--batch B] [--dir D]

Python's own cost per statement is in both figures (about 1 us a statement); the point is the
difference. Issue 15, docs/performance.md ("Sizing the write-path rethink").
"""
import argparse, json, os, resource, sqlite3, time

def cpu():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime

COMMON = """
CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT);
CREATE TABLE groups (id INTEGER PRIMARY KEY, name TEXT, last_seq INTEGER NOT NULL DEFAULT 0);
CREATE TABLE memberships (group_id INTEGER, user_id INTEGER, role TEXT, last_read_seq INTEGER DEFAULT 0,
  PRIMARY KEY (group_id, user_id)) WITHOUT ROWID;
"""
# Today's tables on the hot path (migrations 0001-0003): the message row and its two unique
# indexes, the event row, fts_pending (the deferred indexer's queue).
TODAY = COMMON + """
CREATE TABLE events (group_id INTEGER NOT NULL, seq INTEGER NOT NULL, ts INTEGER NOT NULL, kind TEXT NOT NULL,
  actor_id INTEGER, target_seq INTEGER, data TEXT NOT NULL, PRIMARY KEY (group_id, seq)) WITHOUT ROWID;
CREATE TABLE messages (id INTEGER PRIMARY KEY, group_id INTEGER NOT NULL, seq INTEGER NOT NULL,
  sender_id INTEGER NOT NULL, client_msg_id TEXT NOT NULL, body TEXT, reply_to INTEGER,
  created_at INTEGER NOT NULL, edited_at INTEGER, deleted INTEGER NOT NULL DEFAULT 0,
  UNIQUE (group_id, seq), UNIQUE (group_id, sender_id, client_msg_id));
CREATE TABLE fts_pending (id INTEGER PRIMARY KEY);
CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages BEGIN
  INSERT INTO fts_pending (id) VALUES (new.id); END;
"""
# One row per message: the log row is the message (its wire form beside its fields), keyed by
# (group, seq); idempotency by the sender's key hashed into one integer column of a second,
# small index.
ONE_ROW = COMMON + """
CREATE TABLE log (group_id INTEGER NOT NULL, seq INTEGER NOT NULL, ts INTEGER NOT NULL, kind TEXT NOT NULL,
  sender_id INTEGER, body TEXT, data TEXT NOT NULL, idem INTEGER, PRIMARY KEY (group_id, seq)) WITHOUT ROWID;
CREATE UNIQUE INDEX log_idem ON log(idem) WHERE idem IS NOT NULL;
"""

def setup(path, schema):
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(path + suffix): os.remove(path + suffix)
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA journal_mode = WAL"); db.execute("PRAGMA synchronous = FULL")
    db.execute("PRAGMA cache_size = -32768")
    db.executescript(schema)
    db.execute("BEGIN")
    for g in range(1, 101):
        db.execute("INSERT INTO groups (id, name) VALUES (?, ?)", (g, f"g{g}"))
        for m in range(10):
            u = (g - 1) * 10 + m + 1
            db.execute("INSERT INTO users (id, name) VALUES (?, ?)", (u, f"u{u}"))
            db.execute("INSERT INTO memberships (group_id, user_id, role) VALUES (?, ?, 'member')", (g, u))
    db.execute("COMMIT")
    return db

def wire(g, seq, ts, u, body, cmid, row_id):
    return json.dumps({"type": "event", "group_id": g, "seq": seq, "ts": ts, "kind": "message",
                       "id": row_id, "sender": {"user_id": u, "display_name": f"u{u}"}, "body": body,
                       "client_msg_id": cmid, "mentions": []}, separators=(",", ":"))

def send_today(db, g, u, cmid, body, ts):
    db.execute("SAVEPOINT job")
    db.execute("SELECT role FROM memberships WHERE group_id = ? AND user_id = ?", (g, u)).fetchone()
    if db.execute("SELECT seq FROM messages WHERE group_id = ? AND sender_id = ? AND client_msg_id = ?",
                  (g, u, cmid)).fetchone():
        db.execute("RELEASE job"); return
    seq = db.execute("SELECT last_seq + 1 FROM groups WHERE id = ?", (g,)).fetchone()[0]
    cur = db.execute("INSERT INTO messages (group_id, seq, sender_id, client_msg_id, body, created_at) "
                     "VALUES (?, ?, ?, ?, ?, ?)", (g, seq, u, cmid, body, ts))
    row_id = cur.lastrowid
    db.execute("UPDATE groups SET last_seq = last_seq + 1 WHERE id = ? RETURNING last_seq", (g,)).fetchone()
    db.execute("INSERT INTO events (group_id, seq, ts, kind, actor_id, data) VALUES (?, ?, ?, 'message', ?, ?)",
               (g, seq, ts, u, wire(g, seq, ts, u, body, cmid, row_id)))
    db.execute("RELEASE job")

def send_one_row(db, g, u, cmid, body, ts):
    db.execute("SAVEPOINT job")
    db.execute("SELECT role FROM memberships WHERE group_id = ? AND user_id = ?", (g, u)).fetchone()
    idem = hash((g, u, cmid)) & 0x7FFFFFFFFFFFFFFF  # a 63-bit key; a collision would be checked on the row
    seq = db.execute("UPDATE groups SET last_seq = last_seq + 1 WHERE id = ? RETURNING last_seq", (g,)).fetchone()[0]
    row = db.execute("INSERT INTO log (group_id, seq, ts, kind, sender_id, body, data, idem) "
                     "VALUES (?, ?, ?, 'message', ?, ?, ?, ?) ON CONFLICT DO NOTHING RETURNING seq",
                     (g, seq, ts, u, body, wire(g, seq, ts, u, body, cmid, seq), idem)).fetchone()
    if not row: db.execute("ROLLBACK TO job")  # a retry: its seq is given back
    db.execute("RELEASE job")

def run(name, schema, send, args):
    path = os.path.join(args.dir, name + ".db")
    db = setup(path, schema)
    body = "x" * 100
    start_cpu, start = cpu(), time.monotonic()
    n = 0
    while n < args.messages:
        db.execute("BEGIN")
        for _ in range(min(args.batch, args.messages - n)):
            g = n % 100 + 1
            u = (g - 1) * 10 + (n // 100) % 10 + 1
            send(db, g, u, f"c{n}", body, 1_700_000_000_000 + n)
            n += 1
        db.execute("COMMIT")
    used, wall = cpu() - start_cpu, time.monotonic() - start
    size = os.path.getsize(path) + os.path.getsize(path + "-wal")
    print(f"{name:8} {args.messages} messages, batches of {args.batch}: {used / args.messages * 1e6:6.1f} us CPU "
          f"per message, {args.messages / wall:8.0f} msg/s, {size / args.messages:5.0f} bytes per message on disk")
    db.close()

def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--messages", type=int, default=100_000)
    p.add_argument("--batch", type=int, default=900)
    p.add_argument("--dir", default="/tmp")
    args = p.parse_args()
    print(f"SQLite {sqlite3.sqlite_version}")
    run("today", TODAY, send_today, args)
    run("one-row", ONE_ROW, send_one_row, args)

if __name__ == "__main__":
    main()
