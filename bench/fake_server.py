#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# A stand-in for peerchat that stores nothing and fans out in big batched writes: it measures
# the bench itself (how many deliveries per second one bench core can receive), never the server.
#
#   bench/fake_server.py --port 9999 --groups 1 --members 1000 --state-dir /tmp/fake &
#   peerchat_bench --scenario S2max --url http://127.0.0.1:9999 --reuse-accounts --state-dir /tmp/fake --inflight 20
import argparse, base64, hashlib, json, os, selectors, socket, struct

GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"


def frame(payload: bytes) -> bytes:
    n = len(payload)
    if n < 126:
        return bytes((0x81, n)) + payload
    if n < 65536:
        return bytes((0x81, 126)) + struct.pack("!H", n) + payload
    return bytes((0x81, 127)) + struct.pack("!Q", n) + payload


class Conn:
    def __init__(self, sock):
        self.sock, self.inbuf, self.out, self.ws, self.group, self.want_write = sock, bytearray(), bytearray(), False, None, False


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--groups", type=int, default=1)
    ap.add_argument("--members", type=int, default=1000)
    ap.add_argument("--state-dir", required=True)
    ap.add_argument("--amplify", type=int, default=1, help="deliver each message this many times (new seqs)")
    a = ap.parse_args()
    os.makedirs(a.state_dir, exist_ok=True)
    # The bench reuses these "accounts" (its --reuse-accounts) and checks one with GET /api/v1/me.
    state = {"groups": [{"id": g + 1, "members": [{"user_id": g * a.members + m + 1, "username": f"u{g}_{m}",
                                                   "token": f"tok-{g + 1}-{m}"} for m in range(a.members)]}
                        for g in range(a.groups)]}
    with open(os.path.join(a.state_dir, f"bench_state_{a.groups}x{a.members}.json"), "w") as f:
        json.dump(state, f)

    sel = selectors.DefaultSelector()
    lsock = socket.socket()
    lsock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    lsock.bind(("127.0.0.1", a.port))
    lsock.listen(4096)
    lsock.setblocking(False)
    sel.register(lsock, selectors.EVENT_READ, None)
    members, seq, dirty = {}, {}, set()

    def close(c):
        sel.unregister(c.sock)
        c.sock.close()
        if c.group in members:
            members[c.group].discard(c)

    def on_text(c, text):
        msg = json.loads(text)
        t = msg.get("type")
        if t == "hello":
            c.group = int(msg["token"].split("-")[1])
            members.setdefault(c.group, set()).add(c)
            ready = {"type": "ready", "user": {}, "groups": [{"id": c.group, "last_seq": seq.get(c.group, 0)}]}
            c.out += frame(json.dumps(ready, separators=(",", ":")).encode())
            dirty.add(c)
        elif t == "send":
            g = msg["group_id"]
            first = seq.get(g, 0) + 1
            seq[g] = s = first + a.amplify - 1
            ev = b"".join(frame(json.dumps({"type": "event", "group_id": g, "seq": k, "ts": 0, "kind": "message", "id": k,
                                            "sender": {"user_id": 0, "display_name": "x"}, "body": msg["body"],
                                            "client_msg_id": msg["client_msg_id"]}, separators=(",", ":")).encode())
                          for k in range(first, s + 1))
            s = first
            for m in members.get(g, ()):
                m.out += ev
                dirty.add(m)
            c.out += frame(json.dumps({"type": "ack", "client_msg_id": msg["client_msg_id"], "group_id": g, "seq": s,
                                       "ts": 0}, separators=(",", ":")).encode())
            dirty.add(c)

    def on_readable(c):
        data = c.sock.recv(1 << 16)
        if not data:
            return close(c)
        c.inbuf += data
        if not c.ws:
            end = c.inbuf.find(b"\r\n\r\n")
            if end < 0:
                return
            head = bytes(c.inbuf[:end]).decode()
            del c.inbuf[:end + 4]
            if head.startswith("GET /api/v1/me"):
                c.out += b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Type: application/json\r\n\r\n{}"
                dirty.add(c)
                return
            key = [l.split(":", 1)[1].strip() for l in head.split("\r\n") if l.lower().startswith("sec-websocket-key")][0]
            acc = base64.b64encode(hashlib.sha1(key.encode() + GUID).digest()).decode()
            c.out += (f"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                      f"Sec-WebSocket-Accept: {acc}\r\n\r\n").encode()
            c.ws = True
            dirty.add(c)
        while len(c.inbuf) >= 6:
            b1, n = c.inbuf[1], c.inbuf[1] & 0x7F
            pos = 2
            if n == 126:
                n, pos = struct.unpack("!H", c.inbuf[2:4])[0], 4
            elif n == 127:
                n, pos = struct.unpack("!Q", c.inbuf[2:10])[0], 10
            masked = b1 & 0x80
            need = pos + (4 if masked else 0) + n
            if len(c.inbuf) < need:
                return
            opcode = c.inbuf[0] & 0x0F
            payload = bytes(c.inbuf[need - n:need])
            if masked:
                mask = c.inbuf[pos:pos + 4]
                payload = bytes(b ^ mask[i & 3] for i, b in enumerate(payload))
            del c.inbuf[:need]
            if opcode == 8:
                return close(c)
            if opcode == 1:
                on_text(c, payload)

    while True:
        for key, ev in sel.select(timeout=1.0):
            if key.data is None:
                s, _ = lsock.accept()
                s.setblocking(False)
                s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                c = Conn(s)
                sel.register(s, selectors.EVENT_READ, c)
                continue
            c = key.data
            if ev & selectors.EVENT_READ:
                try:
                    on_readable(c)
                except (ConnectionError, OSError):
                    close(c)
            if ev & selectors.EVENT_WRITE:
                dirty.add(c)
        # One write per connection per loop, carrying every frame pending for it.
        for c in list(dirty):
            dirty.discard(c)
            if c.sock.fileno() < 0 or not c.out:
                continue
            try:
                n = c.sock.send(c.out)
            except BlockingIOError:
                n = 0
            except OSError:
                close(c)
                continue
            del c.out[:n]
            if bool(c.out) != c.want_write:
                c.want_write = bool(c.out)
                sel.modify(c.sock, selectors.EVENT_READ | (selectors.EVENT_WRITE if c.out else 0), c)


if __name__ == "__main__":
    main()
