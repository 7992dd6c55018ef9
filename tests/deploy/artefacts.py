"""The deployment artefacts as the checks read them: the Dockerfile's runtime
stage, compose.yaml (interpolated the way Compose does), and small helpers
shared by the check programs in this folder. Standard library plus PyYAML and
dockerfile-parse (installed by .ci/deploy-checks.sh and .ci/scale-out.sh)."""

import http.client
import json
import os
import re
import shlex
import socket
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
DOCKERFILE = REPO / "Dockerfile"
COMPOSE_DIR = REPO / "deploy" / "compose"
COMPOSE_FILE = COMPOSE_DIR / "compose.yaml"


# ---------------------------------------------------------------- results

class Checks:
    """Named checks, each reported as it finishes; ends with the
    'N passed, N failed' line CI reads."""

    def __init__(self):
        self.passed = 0
        self.failed = 0

    def run(self, name, fn, *args):
        started = time.monotonic()
        try:
            result = fn(*args)
        except Exception as error:  # noqa: BLE001 - every failure is reported
            self.failed += 1
            print(f"FAIL {name}: {type(error).__name__}: {error}", flush=True)
            return None
        self.passed += 1
        print(f"ok   {name} ({time.monotonic() - started:.1f} s)", flush=True)
        return result

    def finish(self):
        print(f"{self.passed} passed, {self.failed} failed", flush=True)
        sys.exit(1 if self.failed else 0)


def check(condition, message):
    if not condition:
        raise AssertionError(message)


# ------------------------------------------------------------- Dockerfile

def runtime_stage():
    """The final stage's instructions: [(instruction, value)], ARG defaults
    substituted into FROM."""
    from dockerfile_parse import DockerfileParser

    parser = DockerfileParser(path=str(DOCKERFILE))
    stages = []
    for item in parser.structure:
        if item["instruction"] == "FROM":
            stages.append([])
        if stages and item["instruction"] != "COMMENT":
            stages[-1].append((item["instruction"], item["value"]))
    return parser, stages[-1]


def image_env():
    """ENV of the runtime stage, as a running container sees it."""
    parser, _ = runtime_stage()
    return dict(parser.envs)


def env_pairs(value):
    """`A=1 B="x y"` (an ENV instruction's value) as a dict."""
    pairs = {}
    for word in shlex.split(value):
        key, _, val = word.partition("=")
        pairs[key] = val
    return pairs


# ---------------------------------------------------------------- Compose

_VARIABLE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:\?|:-|\?|-)([^}]*))?\}")


def interpolate(text, env):
    """Compose's `${VAR}`, `${VAR:-default}` and `${VAR:?error}`."""

    def replace(match):
        name, op, arg = match.group(1), match.group(2), match.group(3)
        value = env.get(name)
        if op in (":?", "?") and not value:
            raise ValueError(f"compose.yaml requires {name}: {arg}")
        if op in (":-", "-") and not value:
            return arg
        return value or ""

    return _VARIABLE.sub(replace, text.replace("$$", "\0")).replace("\0", "$")


def compose_text(env):
    return interpolate(COMPOSE_FILE.read_text(), env)


def compose(env):
    import yaml

    return yaml.safe_load(compose_text(env))


# ------------------------------------------------------------------- HTTP

def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Response:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers
        self.body = body

    def json(self):
        return json.loads(self.body)

    def __repr__(self):
        return f"{self.status} {self.body[:300]!r}"


def request(port, method, path, *, headers=None, body=None, source="127.0.0.1",
            host="127.0.0.1", timeout=15):
    """One request on a new connection from `source` (any 127.0.0.0/8
    address: distinct clients on one machine)."""
    connection = http.client.HTTPConnection(host, port, timeout=timeout,
                                            source_address=(source, 0))
    try:
        data = None
        headers = dict(headers or {})
        if body is not None:
            data = json.dumps(body).encode()
            headers.setdefault("Content-Type", "application/json")
        connection.request(method, path, body=data, headers=headers)
        response = connection.getresponse()
        return Response(response.status, {k.lower(): v for k, v in response.getheaders()},
                        response.read().decode("utf-8", "replace"))
    finally:
        connection.close()


def wait_until(predicate, what, seconds=30, interval=0.2):
    deadline = time.monotonic() + seconds
    while True:
        try:
            if predicate():
                return
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what}: not within {seconds} s")
        time.sleep(interval)


def metric(admin_port, name, **labels):
    """Sum of the samples of `name` whose labels include `labels`, from the
    instance's /metrics (OpenMetrics text)."""
    text = request(admin_port, "GET", "/metrics").body
    total = 0.0
    for line in text.splitlines():
        if not line.startswith(name):
            continue
        match = re.match(r"^([a-z_]+)(?:\{(.*)\})? (\S+)", line)
        if not match or match.group(1) != name:
            continue
        found = dict(re.findall(r'(\w+)="((?:[^"\\]|\\.)*)"', match.group(2) or ""))
        if all(found.get(k) == v for k, v in labels.items()):
            total += float(match.group(3))
    return total


def clean_env(extra):
    """The environment a container would give a process: only what is set
    for it, plus a PATH."""
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin")}
    env.update(extra)
    return env
