#!/usr/bin/env python3
"""DEVELOPMENT MOCK of the sinch-auth accounts API: NOT the product, NOT for CI.

It exists only so the web page and its browser test could be written before the
real accounts mode of `sinch-auth serve` existed. CI runs the browser test
against the real server (.ci/browser.sh); point SERVER_CMD at this file only
while working on the page:

    SERVER_CMD='python3 tests/browser/mock_server.py --port "$PORT"' .ci/browser.sh

What it imitates (issues 4 and 5): the static page at GET /, POST /v1/accounts,
/v1/login, /v1/tickets, /v1/registration-tokens and /v1/logout, an HttpOnly
SameSite=Strict session cookie, application/problem+json errors with a `code`,
Cache-Control: no-store, and the strict Content-Security-Policy the page must
live with. Users and sessions live in memory. Passwords are kept as salted
PBKDF2 only so this file does not model bad habits; the real service uses Argon2id.
Tickets and tokens are minted for real (FORMATS.md §1 and §2) with a throw-away
application key and secret generated at start; `--check-vectors` proves the
minting against the shared vectors.
"""

from __future__ import annotations

import argparse
import base64
import datetime as dt
import hashlib
import hmac
import json
import re
import secrets
import signal
import sys
import threading
import uuid
from http import HTTPStatus
from http.cookies import SimpleCookie
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
WEB_DIR = REPO / "crates" / "sinch-auth-service" / "web"
VECTORS = REPO / "crates" / "sinch-auth" / "tests" / "vectors" / "vectors.json"

STATIC = {
    "/": ("index.html", "text/html; charset=utf-8"),
    "/app.js": ("app.js", "text/javascript; charset=utf-8"),
    "/style.css": ("style.css", "text/css; charset=utf-8"),
}
CSP = (
    "default-src 'self'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'; object-src 'none'"
)
COOKIE = "sinch_auth_session"
SESSION_SECONDS = 8 * 3600
TICKET_SECONDS = 3600
TOKEN_TTL_DEFAULT, TOKEN_TTL_MIN, TOKEN_TTL_MAX = 600, 60, 24 * 3600
BODY_LIMIT = 16 * 1024
USERNAME = re.compile(r"[A-Za-z0-9_=-]{1,255}")


# ---- credentials (FORMATS.md §1, §2) -------------------------------------------


def php_json(value: object) -> bytes:
    """Compact JSON as PHP's json_encode writes it: ASCII only, `/` escaped."""
    text = json.dumps(value, separators=(",", ":"), ensure_ascii=True)
    return text.replace("/", "\\/").encode("ascii")


def mint_ticket(key: str, secret: bytes, user: str, created: dt.datetime, expires_in: int) -> str:
    payload = php_json(
        {
            "identity": {"type": "username", "endpoint": user},
            "expiresIn": expires_in,
            "applicationKey": key,
            "created": created.strftime("%Y-%m-%dT%H:%M:%S+00:00"),
        }
    )
    mac = hmac.new(secret, payload, hashlib.sha256).digest()
    return f"{base64.b64encode(payload).decode()}:{base64.b64encode(mac).decode()}"


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def mint_token(key: str, secret: bytes, user: str, iat: dt.datetime, ttl: int, nonce: str) -> str:
    day = iat.strftime("%Y%m%d")
    header = {"alg": "HS256", "kid": f"hkdfv1-{day}"}
    seconds = int(iat.timestamp())
    claims = {
        "exp": seconds + ttl,
        "iat": seconds,
        "iss": f"//rtc.sinch.com/applications/{key}",
        "nonce": nonce,
        "sub": f"//rtc.sinch.com/applications/{key}/users/{user}",
    }
    signing_key = hmac.new(secret, day.encode(), hashlib.sha256).digest()
    encode = lambda obj: b64url(json.dumps(obj, separators=(",", ":"), sort_keys=True).encode())  # noqa: E731
    signing_input = f"{encode(header)}.{encode(claims)}"
    signature = hmac.new(signing_key, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{b64url(signature)}"


def check_vectors() -> int:
    """Re-mint the shared vectors: proves the mock's credentials are real-looking for real."""
    vectors = json.loads(VECTORS.read_text())
    failures = 0
    for case in vectors["userTickets"]:
        if case.get("kind") != "mint" or not case["name"].startswith("seed_php_"):
            continue
        created = dt.datetime.fromisoformat(case["created"])
        got = mint_ticket(
            case["applicationKey"], base64.b64decode(case["applicationSecret"]),
            case["user"], created, case["expiresIn"],
        )
        failures += got != case["ticket"]
        print(f"{'ok ' if got == case['ticket'] else 'BAD'} {case['name']}")
    tokens = vectors["registrationTokens"]
    case = next(c for c in tokens["cases"] if c["name"] == "jwt_reference")
    now = dt.datetime.fromisoformat(tokens["now"].replace("Z", "+00:00"))
    got = mint_token(
        tokens["applicationKey"], base64.b64decode(tokens["applicationSecret"]),
        tokens["user"], now, tokens["exp"] - tokens["iat"], tokens["nonce"],
    )
    failures += got != case["token"]
    print(f"{'ok ' if got == case['token'] else 'BAD'} {case['name']}")
    return 1 if failures else 0


# ---- in-memory state -------------------------------------------------------------


class State:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.users: dict[str, tuple[bytes, bytes]] = {}  # username -> (salt, hash)
        self.sessions: dict[str, tuple[str, float]] = {}  # session id -> (username, expiry)
        self.app_key = str(uuid.uuid4())
        self.app_secret = secrets.token_bytes(16)

    @staticmethod
    def hash_password(password: str, salt: bytes) -> bytes:
        return hashlib.pbkdf2_hmac("sha256", password.encode(), salt, 100_000)


STATE = State()


class Problem(Exception):
    def __init__(self, status: int, code: str, title: str, detail: str, headers: dict | None = None):
        super().__init__(detail)
        self.status, self.code, self.title, self.detail = status, code, title, detail
        self.headers = headers or {}


def now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc).replace(microsecond=0)


def rfc3339(moment: dt.datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


# ---- HTTP --------------------------------------------------------------------------


class Handler(BaseHTTPRequestHandler):
    server_version = "sinch-auth-dev-mock"
    sys_version = ""

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        sys.stderr.write(f"[mock] {self.command} {self.path} -> {args[1] if len(args) > 1 else ''}\n")

    # -- plumbing

    def send(self, status: int, body: bytes, content_type: str, headers: dict | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Referrer-Policy", "no-referrer")
        for name, value in (headers or {}).items():
            for one in value if isinstance(value, list) else [value]:
                self.send_header(name, one)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def send_json(self, status: int, value: object, headers: dict | None = None) -> None:
        self.send(status, json.dumps(value).encode(), "application/json", headers)

    def send_problem(self, problem: Problem) -> None:
        body = {
            "type": f"https://sinch-auth.dev/problems/{problem.code.replace('_', '-')}",
            "title": problem.title,
            "status": problem.status,
            "detail": problem.detail,
            "code": problem.code,
        }
        self.send(problem.status, json.dumps(body).encode(), "application/problem+json", problem.headers)

    def read_json(self) -> dict:
        length = int(self.headers.get("Content-Length") or 0)
        if length > BODY_LIMIT:
            raise Problem(413, "payload_too_large", "Payload too large", f"Bodies are limited to {BODY_LIMIT} bytes.")
        raw = self.rfile.read(length) if length else b""
        if not raw:
            return {}
        if self.headers.get_content_type() != "application/json":
            raise Problem(415, "unsupported_media_type", "Unsupported media type", "Send Content-Type: application/json.")
        try:
            value = json.loads(raw)
        except (ValueError, UnicodeDecodeError):
            raise Problem(400, "malformed_json", "Malformed JSON", "The request body is not valid JSON.") from None
        if not isinstance(value, dict):
            raise Problem(400, "malformed_json", "Malformed JSON", "The request body must be a JSON object.")
        return value

    def session_user(self) -> str:
        cookie = SimpleCookie(self.headers.get("Cookie") or "")
        sid = cookie[COOKIE].value if COOKIE in cookie else ""
        with STATE.lock:
            user, expiry = STATE.sessions.get(sid, ("", 0.0))
        if not user or expiry < now().timestamp():
            raise Problem(401, "unauthenticated", "Not signed in", "Log in first: no valid session cookie came with the request.")
        return user

    # -- routes

    def do_GET(self) -> None:  # noqa: N802
        path = self.path.split("?", 1)[0]
        if path == "/livez":
            self.send(200, b"ok\n", "text/plain; charset=utf-8")
        elif path in STATIC:
            name, content_type = STATIC[path]
            self.send(200, (WEB_DIR / name).read_bytes(), content_type, {"Content-Security-Policy": CSP})
        else:
            self.send_problem(Problem(404, "not_found", "Not found", f"No page at {path}."))

    def do_POST(self) -> None:  # noqa: N802
        routes = {
            "/v1/accounts": self.sign_up,
            "/v1/login": self.log_in,
            "/v1/logout": self.log_out,
            "/v1/tickets": self.ticket,
            "/v1/registration-tokens": self.token,
        }
        route = routes.get(self.path.split("?", 1)[0])
        try:
            if route is None:
                raise Problem(404, "not_found", "Not found", f"No endpoint at {self.path}.")
            route()
        except Problem as problem:
            self.send_problem(problem)

    def account_input(self) -> tuple[str, str]:
        body = self.read_json()
        username, password = body.get("username"), body.get("password")
        if not isinstance(username, str) or not USERNAME.fullmatch(username):
            raise Problem(400, "invalid_username", "Invalid username",
                          "Use 1–255 characters from A–Z a–z 0–9 - _ = (it becomes the Sinch user id).")
        if not isinstance(password, str) or not 8 <= len(password) <= 128:
            raise Problem(400, "invalid_password", "Invalid password", "Use 8–128 characters.")
        return username, password

    def sign_up(self) -> None:
        username, password = self.account_input()
        salt = secrets.token_bytes(16)
        digest = State.hash_password(password, salt)
        with STATE.lock:
            if username in STATE.users:
                raise Problem(409, "username_taken", "Username taken", f"An account named {username} already exists.")
            STATE.users[username] = (salt, digest)
        self.send_json(201, {"userId": username}, {"Location": "/v1/accounts/me"})

    def log_in(self) -> None:
        username, password = self.account_input()
        with STATE.lock:
            salt, digest = STATE.users.get(username, (b"\0" * 16, b""))
        # Hash even for unknown users so both failures take the same time.
        ok = hmac.compare_digest(State.hash_password(password, salt), digest)
        if not ok:
            raise Problem(401, "invalid_credentials", "Wrong username or password", "Check both and try again.")
        sid = secrets.token_urlsafe(32)
        with STATE.lock:
            STATE.sessions[sid] = (username, now().timestamp() + SESSION_SECONDS)
        cookie = f"{COOKIE}={sid}; Path=/; Max-Age={SESSION_SECONDS}; HttpOnly; SameSite=Strict"
        ticket, token = self.issue_ticket(username), self.issue_token(username, TOKEN_TTL_DEFAULT)
        self.send_json(200, {
            "userTicket": ticket["userTicket"], "token": token["token"], "userId": username,
            "expiresAt": token["expiresAt"], "expiresIn": token["expiresIn"],
        }, {"Set-Cookie": cookie})

    def log_out(self) -> None:
        self.read_json()
        cookie = SimpleCookie(self.headers.get("Cookie") or "")
        if COOKIE in cookie:
            with STATE.lock:
                STATE.sessions.pop(cookie[COOKIE].value, None)
        expired = f"{COOKIE}=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict"
        self.send(204, b"", "text/plain", {"Set-Cookie": expired})

    def ticket(self) -> None:
        self.read_json()
        self.send_json(200, self.issue_ticket(self.session_user()))

    def token(self) -> None:
        body = self.read_json()
        user = self.session_user()
        ttl = body.get("ttl", TOKEN_TTL_DEFAULT)
        if type(ttl) is not int or not TOKEN_TTL_MIN <= ttl <= TOKEN_TTL_MAX:
            raise Problem(400, "ttl_out_of_range", "TTL out of range",
                          f"ttl must be an integer from {TOKEN_TTL_MIN} to {TOKEN_TTL_MAX} seconds.")
        self.send_json(200, self.issue_token(user, ttl))

    @staticmethod
    def issue_ticket(user: str) -> dict:
        created = now()
        ticket = mint_ticket(STATE.app_key, STATE.app_secret, user, created, TICKET_SECONDS)
        expires = created + dt.timedelta(seconds=TICKET_SECONDS)
        return {"userTicket": ticket, "userId": user, "expiresAt": rfc3339(expires), "expiresIn": TICKET_SECONDS}

    @staticmethod
    def issue_token(user: str, ttl: int) -> dict:
        iat = now()
        token = mint_token(STATE.app_key, STATE.app_secret, user, iat, ttl, str(uuid.uuid4()))
        return {"token": token, "userId": user, "expiresAt": rfc3339(iat + dt.timedelta(seconds=ttl)), "expiresIn": ttl}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (0: any free one)")
    parser.add_argument("--check-vectors", action="store_true", help="re-mint the shared vectors and exit")
    args = parser.parse_args()
    if args.check_vectors:
        return check_vectors()

    server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    server.daemon_threads = True

    def stop(*_: object) -> None:
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    print(f"DEVELOPMENT MOCK of sinch-auth listening on http://127.0.0.1:{server.server_port}", flush=True)
    server.serve_forever()
    server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
