# SPDX-License-Identifier: MIT
# Sends one message over the WebSocket gateway and waits for its ack; prints the acked seq.
# Run with /usr/bin/python3 (Debian's python3-websockets 10.4 imports only there).
# usage: ws_send.py WS_URL TOKEN GROUP_ID CLIENT_MSG_ID BODY
import asyncio
import json
import sys

import websockets

DEADLINE_S = 20


async def read_until(ws, predicate):
    while True:
        frame = json.loads(await ws.recv())
        if frame.get("type") == "error":
            raise RuntimeError(f"server sent an error frame: {frame}")
        if predicate(frame):
            return frame


async def main(url, token, group_id, client_msg_id, body):
    async with websockets.connect(url, open_timeout=10, close_timeout=5) as ws:
        await ws.send(json.dumps({"type": "hello", "token": token}))
        ready = await read_until(ws, lambda f: f.get("type") == "ready")
        if not any(g.get("id") == group_id for g in ready.get("groups", [])):
            raise RuntimeError(f"group {group_id} missing from ready: {ready}")
        await ws.send(json.dumps({"type": "send", "group_id": group_id,
                                  "client_msg_id": client_msg_id, "body": body}))
        ack = await read_until(ws, lambda f: f.get("type") == "ack"
                               and f.get("client_msg_id") == client_msg_id)
        if ack.get("group_id") != group_id or not isinstance(ack.get("seq"), int):
            raise RuntimeError(f"unexpected ack: {ack}")
        return ack["seq"]


if __name__ == "__main__":
    if len(sys.argv) != 6:
        sys.exit("usage: ws_send.py WS_URL TOKEN GROUP_ID CLIENT_MSG_ID BODY")
    url, token, group, cmid, body = sys.argv[1:]
    try:
        seq = asyncio.run(asyncio.wait_for(main(url, token, int(group), cmid, body), DEADLINE_S))
    except asyncio.TimeoutError:
        sys.exit(f"ws_send: no ack within {DEADLINE_S} s")
    except Exception as e:  # noqa: BLE001 — one clear line for the shell script
        sys.exit(f"ws_send: {type(e).__name__}: {e}")
    print(seq)
