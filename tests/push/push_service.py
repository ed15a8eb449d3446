#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""A push service of our own on 127.0.0.1, playing RFC 8030's receiving side for the tests.

It stands in for the browser vendor's push service (the server runs with
--push-allow-loopback) and checks every push with code we did not write, Python's
`cryptography` (Debian 12's python3-cryptography 38: only APIs that exist there):
  - the VAPID JWT (RFC 8292): ES256 over header.claims, the raw r||s signature turned into
    DER and verified with the `k=` public key; `aud` is this service's origin; `exp` is in the
    future and at most 24 h ahead; `sub` is a mailto: or https: contact; `k` is the server's
    GET /push/key (POST /__config sets the expected key);
  - the body (RFC 8291 over RFC 8188 aes128gcm), decrypted with the subscription's private key
    and auth secret, which only this process knows (POST /__subscription makes them);
  - TTL (required), Urgency, Topic (<= 32 base64url characters).
Every push is recorded (GET /__received) and answered as the test scripted it (POST /__script):
201 by default (400 when a check fails), or any status (with Retry-After), or never (the request hangs until the
service stops).

Test API (JSON bodies):
  POST /__subscription            -> {id, endpoint, keys:{p256dh, auth}}
  POST /__config {vapid_public_key}   the key every push's k= must equal
  POST /__script {id, answers:[{status, retry_after?} | {hang:true}], default?}
       answers are used in order, one per push to that subscription; then `default`
       (itself an answer, 201 when absent) for every later push.
  GET  /__received[?id=ID]         -> {pushes:[record…]} in arrival order
  GET  /__stats                    -> {received, in_flight, max_in_flight, hanging, first_at, last_at}
A record: {id, at, status (what we answered, 0 = hang), ttl, urgency, topic, encoding,
  body_length, payload (decrypted JSON) | null, claims (the JWT's) | null, errors:[…]}.
`errors` is empty for a push that passed every check.

Usage: push_service.py [--fast] [--port-file F] [--deadline S] [--parent-pid P] [--tls-cert C --tls-key K]
  Binds 127.0.0.1 port 0, prints "port N" (and writes N to --port-file, atomically), serves
  until --deadline seconds have passed (default 300) or the parent process is gone.
  --fast (for the bench) checks and records nothing: it counts pushes and answers 201.
  push_service.py --self-test   checks the checker (RFC 8291's example message, a JWT).
"""
import argparse
import base64
import json
import os
import re
import secrets
import ssl
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature, encode_dss_signature
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF


def b64u_decode(text):
    if isinstance(text, bytes):
        text = text.decode("ascii")
    if not re.fullmatch(r"[A-Za-z0-9_-]*", text):
        raise ValueError("not base64url: %r" % text[:40])
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def b64u_encode(raw):
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def hkdf(salt, ikm, info, length):
    return HKDF(algorithm=hashes.SHA256(), length=length, salt=salt, info=info).derive(ikm)


def public_bytes(public_key):
    return public_key.public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)


# ---- the checks -------------------------------------------------------------------------------

def decrypt_aes128gcm(body, ua_private, auth_secret):
    """RFC 8291 section 3 + RFC 8188: the plaintext, or raises ValueError saying what is wrong."""
    if len(body) < 21:
        raise ValueError("body of %d bytes is shorter than the aes128gcm header" % len(body))
    salt, rs, idlen = body[:16], int.from_bytes(body[16:20], "big"), body[20]
    if idlen != 65:
        raise ValueError("keyid length %d, RFC 8291 wants the 65-byte sender key" % idlen)
    if rs < 18:
        raise ValueError("record size %d is below 18" % rs)
    as_public_raw = body[21:21 + idlen]
    ciphertext = body[21 + idlen:]
    if len(ciphertext) > rs:
        raise ValueError("%d bytes of ciphertext over record size %d: RFC 8291 allows one record" % (len(ciphertext), rs))
    if len(ciphertext) < 17:
        raise ValueError("ciphertext of %d bytes cannot hold a tag and a delimiter" % len(ciphertext))
    as_public = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), as_public_raw)
    ecdh_secret = ua_private.exchange(ec.ECDH(), as_public)
    ua_public_raw = public_bytes(ua_private.public_key())
    ikm = hkdf(auth_secret, ecdh_secret, b"WebPush: info\x00" + ua_public_raw + as_public_raw, 32)
    cek = hkdf(salt, ikm, b"Content-Encoding: aes128gcm\x00", 16)
    nonce = hkdf(salt, ikm, b"Content-Encoding: nonce\x00", 12)  # record 0: nonce XOR 0
    try:
        padded = AESGCM(cek).decrypt(nonce, ciphertext, None)
    except InvalidTag:
        raise ValueError("aes128gcm: authentication failed (wrong keys, salt or ciphertext)")
    stripped = padded.rstrip(b"\x00")
    if not stripped or stripped[-1] != 2:
        raise ValueError("the single record does not end with the last-record delimiter 0x02")
    return stripped[:-1]


def parse_vapid(header):
    """'vapid t=JWT, k=KEY' -> (jwt, k); raises ValueError."""
    m = re.fullmatch(r"\s*vapid\s+(.*)", header or "", re.IGNORECASE)
    if not m:
        raise ValueError("Authorization is not 'vapid t=…, k=…': %r" % (header or "")[:60])
    params = {}
    for part in m.group(1).split(","):
        name, sep, value = part.strip().partition("=")
        if not sep:
            raise ValueError("Authorization parameter without '=': %r" % part)
        params[name.strip().lower()] = value.strip()
    if "t" not in params or "k" not in params:
        raise ValueError("Authorization lacks t= or k=")
    return params["t"], params["k"]


def verify_vapid(jwt, k, audience, expected_key, now):
    """RFC 8292: returns the claims; raises ValueError saying what is wrong."""
    try:
        key = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), b64u_decode(k))
    except ValueError as e:
        raise ValueError("k= is not a P-256 point: %s" % e)
    if expected_key is None:
        raise ValueError("the test did not tell the push service the server's key (POST /__config)")
    if k != expected_key:
        raise ValueError("k= %s… is not the server's GET /push/key %s…" % (k[:12], expected_key[:12]))
    parts = jwt.split(".")
    if len(parts) != 3:
        raise ValueError("JWT has %d parts, not 3" % len(parts))
    header = json.loads(b64u_decode(parts[0]))
    if header.get("alg") != "ES256":
        raise ValueError("JWT alg %r, not ES256" % header.get("alg"))
    if header.get("typ") not in (None, "JWT"):
        raise ValueError("JWT typ %r" % header.get("typ"))
    signature = b64u_decode(parts[2])
    if len(signature) != 64:
        raise ValueError("ES256 signature of %d bytes, not the raw 64-byte r||s" % len(signature))
    der = encode_dss_signature(int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big"))
    try:
        key.verify(der, (parts[0] + "." + parts[1]).encode("ascii"), ec.ECDSA(hashes.SHA256()))
    except InvalidSignature:
        raise ValueError("the JWT's ES256 signature does not verify with k=")
    claims = json.loads(b64u_decode(parts[1]))
    if claims.get("aud") != audience:
        raise ValueError("aud %r is not this push service's origin %r" % (claims.get("aud"), audience))
    exp = claims.get("exp")
    if not isinstance(exp, int) or isinstance(exp, bool):
        raise ValueError("exp %r is not an integer" % exp)
    if exp <= now:
        raise ValueError("exp %d is in the past (now %d)" % (exp, now))
    if exp > now + 24 * 3600 + 60:  # a minute for clocks
        raise ValueError("exp %d is more than 24 h ahead" % exp)
    sub = claims.get("sub")
    if not isinstance(sub, str) or not (sub.startswith("mailto:") or sub.startswith("https:")):
        raise ValueError("sub %r is not a mailto: or https: contact" % sub)
    return claims


URGENCIES = ("very-low", "low", "normal", "high")


def check_headers(headers, errors):
    ttl = headers.get("TTL")
    if ttl is None:
        errors.append("no TTL header (RFC 8030 requires it)")
    elif not re.fullmatch(r"[0-9]+", ttl):
        errors.append("TTL %r is not a number of seconds" % ttl)
    urgency = headers.get("Urgency")
    if urgency is not None and urgency not in URGENCIES:
        errors.append("Urgency %r is none of %s" % (urgency, ", ".join(URGENCIES)))
    topic = headers.get("Topic")
    if topic is not None and not re.fullmatch(r"[A-Za-z0-9_-]{1,32}", topic):
        errors.append("Topic %r is not 1-32 base64url characters" % topic)
    if headers.get("Content-Encoding") != "aes128gcm":
        errors.append("Content-Encoding %r, not aes128gcm" % headers.get("Content-Encoding"))


# ---- the service ------------------------------------------------------------------------------

class State:
    """Everything the handlers share. Thread safety: every field under `lock`."""

    def __init__(self):
        self.lock = threading.Lock()
        self.subscriptions = {}   # id -> (private key, auth secret)
        self.scripts = {}         # id -> {"answers": [...], "default": {...}}
        self.received = []
        self.expected_key = None
        self.in_flight = 0
        self.max_in_flight = 0
        self.hanging = 0
        self.first_at = None      # arrival of the first and the latest push (time.time())
        self.last_at = None
        self.fast_count = 0
        self.fast = False         # --fast: count and answer 201, check nothing (the bench)
        self.stopping = threading.Event()  # set at shutdown: hanging requests end


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "peerchat-test-push/1"

    def log_message(self, fmt, *args):  # quiet: the test reads /__received instead
        pass

    @property
    def state(self):
        return self.server.state

    def reply(self, status, obj=None, headers=()):
        body = b"" if obj is None else json.dumps(obj).encode()
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        if obj is not None:
            self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def read_body(self):
        length = int(self.headers.get("Content-Length") or 0)
        if length > 1 << 20:
            raise ValueError("body over 1 MiB")
        return self.rfile.read(length) if length else b""

    def do_GET(self):
        url = urlsplit(self.path)
        st = self.state
        if url.path == "/__received":
            want = parse_qs(url.query).get("id", [None])[0]
            with st.lock:
                pushes = [r for r in st.received if want is None or r["id"] == want]
            return self.reply(200, {"pushes": pushes})
        if url.path == "/__stats":
            with st.lock:
                stats = {"received": len(st.received) + st.fast_count, "in_flight": st.in_flight,
                         "max_in_flight": st.max_in_flight, "hanging": st.hanging,
                         "first_at": st.first_at, "last_at": st.last_at}
            return self.reply(200, stats)
        self.reply(404, {"error": "no such path"})

    def do_POST(self):
        url = urlsplit(self.path)
        if url.path.startswith("/push/"):
            return self.push(url.path[len("/push/"):])
        try:
            body = json.loads(self.read_body() or b"{}")
        except ValueError as e:
            return self.reply(400, {"error": str(e)})
        st = self.state
        if url.path == "/__subscription":
            private = ec.generate_private_key(ec.SECP256R1())
            auth = secrets.token_bytes(16)
            sub_id = secrets.token_hex(8)
            with st.lock:
                st.subscriptions[sub_id] = (private, auth)
            return self.reply(201, {"id": sub_id, "endpoint": self.server.origin + "/push/" + sub_id,
                                    "keys": {"p256dh": b64u_encode(public_bytes(private.public_key())),
                                             "auth": b64u_encode(auth)}})
        if url.path == "/__config":
            with st.lock:
                st.expected_key = body.get("vapid_public_key")
            return self.reply(200, {})
        if url.path == "/__script":
            with st.lock:
                st.scripts[body["id"]] = {"answers": list(body.get("answers", [])),
                                          "default": body.get("default", {"status": 201})}
            return self.reply(200, {})
        self.reply(404, {"error": "no such path"})

    def push(self, sub_id):
        st = self.state
        with st.lock:
            st.in_flight += 1
            st.max_in_flight = max(st.max_in_flight, st.in_flight)
        try:
            self.checked_push(sub_id)
        finally:
            with st.lock:
                st.in_flight -= 1

    def checked_push(self, sub_id):
        st = self.state
        body = self.read_body()
        with st.lock:
            st.last_at = time.time()
            if st.first_at is None:
                st.first_at = st.last_at
            if st.fast:
                st.fast_count += 1
        if st.fast:
            return self.reply(201)
        now = int(time.time())
        errors = []
        record = {"id": sub_id, "at": time.time(), "status": None,
                  "ttl": self.headers.get("TTL"), "urgency": self.headers.get("Urgency"),
                  "topic": self.headers.get("Topic"), "encoding": self.headers.get("Content-Encoding"),
                  "body_length": len(body), "payload": None, "claims": None, "errors": errors}
        with st.lock:
            keys = st.subscriptions.get(sub_id)
            expected_key = st.expected_key
            script = st.scripts.get(sub_id)
            answer = {"status": 201}
            if script is not None:
                answer = script["answers"].pop(0) if script["answers"] else script["default"]
        if keys is None:
            errors.append("no subscription %r here" % sub_id)
        check_headers(self.headers, errors)
        try:
            jwt, k = parse_vapid(self.headers.get("Authorization"))
            record["claims"] = verify_vapid(jwt, k, self.server.origin, expected_key, now)
        except (ValueError, KeyError, TypeError) as e:
            errors.append("VAPID: %s" % e)
        if keys is not None:
            try:
                plaintext = decrypt_aes128gcm(body, keys[0], keys[1])
                try:
                    record["payload"] = json.loads(plaintext.decode("utf-8"))
                except ValueError:
                    errors.append("the decrypted payload is not UTF-8 JSON: %r" % plaintext[:80])
            except ValueError as e:
                errors.append("payload: %s" % e)
        hang = bool(answer.get("hang"))
        status = 0 if hang else int(answer.get("status", 201))
        if errors and status == 201:
            status = 400  # a real push service refuses what it cannot check
        
        record["status"] = status
        with st.lock:
            st.received.append(record)
        if hang:
            with st.lock:
                st.hanging += 1
            st.stopping.wait()  # never answers; the connection ends when the service stops
            self.close_connection = True
            return
        headers = []
        if answer.get("retry_after") is not None:
            headers.append(("Retry-After", str(answer["retry_after"])))
        if status == 201:
            headers.append(("Location", self.server.origin + "/message/" + secrets.token_hex(8)))
        self.reply(status, {"error": "; ".join(errors)} if errors else None, headers)


class PushServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True


# ---- self-test: the checker against published and independently made values --------------------

RFC8291 = {  # RFC 8291 section 5 / appendix A
    "ua_private": "q1dXpw3UpT5VOmu_cf_v6ih07Aems3njxI-JWgLcM94",
    "ua_public": "BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4",
    "auth": "BTBZMqHH6r4Tts7J_aSIgg",
    "body": "DGv6ra1nlYgDCS1FRnbzlwAAEABBBP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27mlmlMoZIIgDll6e3vCYLocInmYWAmS6T"
            "lzAC8wEqKK6PBru3jl7A_yl95bQpu6cVPTpK4Mqgkf1CXztLVBSt2Ks3oZwbuwXPXLWyouBWLVWGNWQexSgSxsj_Qulcy4a-fN",
    "plaintext": b"When I grow up, I want to be a watermelon",
}


def self_test():
    ua_private = ec.derive_private_key(int.from_bytes(b64u_decode(RFC8291["ua_private"]), "big"), ec.SECP256R1())
    assert b64u_encode(public_bytes(ua_private.public_key())) == RFC8291["ua_public"]
    body = b64u_decode(RFC8291["body"])
    assert decrypt_aes128gcm(body, ua_private, b64u_decode(RFC8291["auth"])) == RFC8291["plaintext"]
    tampered = body[:-1] + bytes([body[-1] ^ 1])
    try:
        decrypt_aes128gcm(tampered, ua_private, b64u_decode(RFC8291["auth"]))
        raise AssertionError("a tampered body decrypted")
    except ValueError:
        pass
    # A JWT signed here with the library's DER signature, turned into the raw r||s form.
    key = ec.generate_private_key(ec.SECP256R1())
    k = b64u_encode(public_bytes(key.public_key()))
    now = int(time.time())
    signing_input = (b64u_encode(json.dumps({"typ": "JWT", "alg": "ES256"}).encode()) + "." +
                     b64u_encode(json.dumps({"aud": "http://127.0.0.1:1", "exp": now + 3600,
                                             "sub": "mailto:ops@example.org"}).encode()))
    r, s = decode_dss_signature(key.sign(signing_input.encode(), ec.ECDSA(hashes.SHA256())))
    jwt = signing_input + "." + b64u_encode(r.to_bytes(32, "big") + s.to_bytes(32, "big"))
    assert verify_vapid(jwt, k, "http://127.0.0.1:1", k, now)["sub"] == "mailto:ops@example.org"
    for audience, expected, when, what in (("http://127.0.0.1:2", k, now, "aud"),
                                           ("http://127.0.0.1:1", "other", now, "k"),
                                           ("http://127.0.0.1:1", k, now + 7200, "exp")):
        try:
            verify_vapid(jwt, k, audience, expected, when)
            raise AssertionError("a JWT with a wrong %s verified" % what)
        except ValueError:
            pass
    bad = jwt[:-4] + ("AAAA" if not jwt.endswith("AAAA") else "BBBB")
    try:
        verify_vapid(bad, k, "http://127.0.0.1:1", k, now)
        raise AssertionError("a JWT with a wrong signature verified")
    except ValueError:
        pass
    print("self-test passed")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port-file")
    parser.add_argument("--deadline", type=float, default=300, help="seconds to serve at most")
    parser.add_argument("--parent-pid", type=int, default=0, help="stop when this process is gone")
    parser.add_argument("--tls-cert")
    parser.add_argument("--tls-key")
    parser.add_argument("--fast", action="store_true", help="check and record nothing, count and answer 201 (bench)")
    parser.add_argument("--self-test", action="store_true")
    args = parser.parse_args()
    if args.self_test:
        return self_test()

    server = PushServer(("127.0.0.1", 0), Handler)
    scheme = "http"
    if args.tls_cert:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(args.tls_cert, args.tls_key)
        server.socket = context.wrap_socket(server.socket, server_side=True)
        scheme = "https"
    port = server.server_address[1]
    server.origin = "%s://127.0.0.1:%d" % (scheme, port)
    server.state = State()
    server.state.fast = args.fast
    print("port %d" % port, flush=True)
    if args.port_file:
        tmp = args.port_file + ".tmp"
        with open(tmp, "w") as f:
            f.write("%d\n" % port)
        os.replace(tmp, args.port_file)

    def watchdog():
        deadline = time.monotonic() + args.deadline
        while time.monotonic() < deadline:
            if args.parent_pid and not os.path.exists("/proc/%d" % args.parent_pid):
                break
            time.sleep(0.2)
        server.state.stopping.set()
        server.shutdown()

    threading.Thread(target=watchdog, daemon=True).start()
    try:
        server.serve_forever(poll_interval=0.2)
    finally:
        server.state.stopping.set()
        server.server_close()


if __name__ == "__main__":
    sys.exit(main())
