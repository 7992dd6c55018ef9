"""The compose topology, run for real: PostgreSQL, two `sinch-auth serve`
processes and nginx with deploy/compose/nginx/default.conf.template, all on
127.0.0.1. Called by .ci/scale-out.sh, which installs nginx, starts
PostgreSQL and builds the binary.

What is taken from the artefacts unchanged: every environment variable the
image (Dockerfile ENV) and compose.yaml give an instance, and the nginx
template, rendered with envsubst as the nginx image does. What differs, and
why (printed at start-up too):
  - addresses: instances listen on 127.0.0.1 at free ports instead of
    0.0.0.0:8080/9090 in their own containers; nginx listens on 127.0.0.1 at
    a free port; the upstream variables name those ports instead of
    sinch-auth-N:8080;
  - the trusted proxy: nginx's fixed compose address is replaced by
    127.0.0.1, where nginx connects from here; the test's clients come from
    other loopback addresses (127.0.0.10 and up), so "the client" and "the
    balancer" are still different peers;
  - /run/secrets/NAME becomes a file of a temporary directory, and the
    database URL names the CI PostgreSQL (.ci/postgres.sh).

Usage: scale_out.py --binary target/dist/sinch-auth --database-url URL
"""

import argparse
import base64
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from artefacts import (COMPOSE_DIR, Checks, check, clean_env, compose, free_port,
                       image_env, metric, request, wait_until)

APPLICATION_KEY = "5c0b1a57-4b51-4d0b-9c4b-7ab0e1c0ffee"
FLOW_CLIENT = "127.0.0.10"


class Topology:
    def __init__(self, binary, database_url, workdir):
        self.binary = binary
        self.workdir = workdir
        self.secret = base64.b64encode(secrets.token_bytes(32)).decode()
        self.admin_key = secrets.token_hex(24)
        self.secrets_dir = workdir / "secrets"
        self.secrets_dir.mkdir()
        for name, value in {
            "sinch-application-secret": self.secret,
            "database-url": database_url,
            "signup-admin-keys": self.admin_key,
            "postgres-password": "unused: the CI PostgreSQL has its own",
        }.items():
            (self.secrets_dir / name).write_text(value + "\n")
        self.project = compose({"SINCH_APPLICATION_KEY": APPLICATION_KEY})
        self.services = self.project["services"]
        self.api_ports = [free_port(), free_port()]
        self.admin_ports = [free_port(), free_port()]
        self.nginx_port = free_port()
        self.processes = {}
        self.nginx = None

    # ------------------------------------------------------------ instances

    def nginx_compose_address(self):
        return self.services["nginx"]["networks"]["backend"]["ipv4_address"]

    def instance_env(self, index):
        service = self.services[f"sinch-auth-{index + 1}"]
        env = image_env()
        env.update({k: str(v) for k, v in service["environment"].items()})
        overrides = {
            "SINCH_AUTH_LISTEN": f"127.0.0.1:{self.api_ports[index]}",
            "SINCH_AUTH_ADMIN_LISTEN": f"127.0.0.1:{self.admin_ports[index]}",
            "XDG_DATA_HOME": str(self.workdir / f"data-{index + 1}"),
        }
        check(env.get("SINCH_AUTH_TRUSTED_PROXIES") == self.nginx_compose_address(),
              "compose.yaml: the instances must trust nginx's address and only it")
        overrides["SINCH_AUTH_TRUSTED_PROXIES"] = "127.0.0.1"
        for key, value in env.items():
            if value.startswith("/run/secrets/"):
                name = value.removeprefix("/run/secrets/")
                check(name in service["secrets"], f"{key} names a secret the service lacks")
                overrides[key] = str(self.secrets_dir / name)
        env.update(overrides)
        return env

    def start_instance(self, index):
        env = self.instance_env(index)
        log = open(self.workdir / f"sinch-auth-{index + 1}.log", "wb")
        self.processes[index] = subprocess.Popen(
            [self.binary, "serve"], env=clean_env(env), stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True)

    def healthcheck(self, index):
        env = {"SINCH_AUTH_ADMIN_LISTEN": f"127.0.0.1:{self.admin_ports[index]}"}
        return subprocess.run([self.binary, "healthcheck", "--timeout", "2"],
                              env=clean_env(env), capture_output=True, timeout=10).returncode

    # ----------------------------------------------------------------- nginx

    def render_nginx_template(self):
        """envsubst over exactly the variables compose gives the nginx
        container, as the nginx image's entrypoint does."""
        declared = self.services["nginx"]["environment"]
        values = {
            "NGINX_LISTEN": f"127.0.0.1:{self.nginx_port}",
            "SINCH_AUTH_UPSTREAM_1": f"127.0.0.1:{self.api_ports[0]}",
            "SINCH_AUTH_UPSTREAM_2": f"127.0.0.1:{self.api_ports[1]}",
        }
        check(set(values) == set(declared),
              f"nginx variables in compose.yaml changed: {sorted(declared)}")
        mount = next(v for v in self.services["nginx"]["volumes"] if "templates" in v)
        template = (COMPOSE_DIR / mount.split(":")[0]).resolve()
        shell_format = " ".join(f"${name}" for name in sorted(values))
        rendered = subprocess.run(["envsubst", shell_format], input=template.read_text(),
                                  env=clean_env(values), capture_output=True, text=True,
                                  check=True).stdout
        check("${" not in rendered, "the nginx template uses a variable compose does not set")
        return rendered

    def start_nginx(self):
        conf_d = self.workdir / "nginx" / "conf.d"
        conf_d.mkdir(parents=True)
        (conf_d / "default.conf").write_text(self.render_nginx_template())
        root = self.workdir / "nginx"
        # The nginx image's own nginx.conf, in short: one http block that
        # includes conf.d; paths moved into the work directory.
        (root / "nginx.conf").write_text(f"""
daemon off;
worker_processes 1;
pid {root}/nginx.pid;
error_log {root}/error.log notice;
events {{ worker_connections 512; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    sendfile on;
    keepalive_timeout 65;
    client_body_temp_path {root}/client_body;
    proxy_temp_path {root}/proxy;
    fastcgi_temp_path {root}/fastcgi;
    uwsgi_temp_path {root}/uwsgi;
    scgi_temp_path {root}/scgi;
    include {conf_d}/*.conf;
}}
""")
        test = subprocess.run(["nginx", "-t", "-c", str(root / "nginx.conf"), "-p", str(root)],
                              capture_output=True, text=True)
        check(test.returncode == 0, f"nginx -t: {test.stderr}")
        self.access_log = root / "access.log"
        log = open(self.access_log, "wb")
        self.nginx = subprocess.Popen(["nginx", "-c", str(root / "nginx.conf"), "-p", str(root)],
                                      stdout=log, stderr=subprocess.STDOUT,
                                      start_new_session=True)

    def stop(self):
        for process in [self.nginx, *self.processes.values()]:
            if process and process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in [self.nginx, *self.processes.values()]:
            if process:
                try:
                    process.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()

    # ---------------------------------------------------------------- client

    @property
    def origin(self):
        return f"http://127.0.0.1:{self.nginx_port}"

    def call(self, method, path, *, source=FLOW_CLIENT, cookie=None, origin=True,
             headers=None, body=None):
        """A request through nginx, as a same-origin browser page would send
        it unless told otherwise."""
        all_headers = dict(headers or {})
        if cookie:
            all_headers["Cookie"] = cookie
        if origin is True:
            all_headers["Origin"] = self.origin
        elif origin:
            all_headers["Origin"] = origin
        return request(self.nginx_port, method, path, headers=all_headers, body=body,
                       source=source)

    def counts(self, name, **labels):
        return [metric(port, name, **labels) for port in self.admin_ports]

    def served_by(self, name, labels, action):
        """Runs `action` and returns (its result, the index of the one
        instance whose counter `name{labels}` went up)."""
        before = self.counts(name, **labels)
        result = action()
        after = self.counts(name, **labels)
        moved = [i for i in range(2) if after[i] > before[i]]
        check(len(moved) == 1, f"{name}{labels} moved on {moved}: {before} -> {after}; {result}")
        return result, moved[0]


def username():
    return "user" + secrets.token_hex(6)


def session_cookie(response):
    header = response.headers.get("set-cookie", "")
    match = re.match(r"(__Host-sinch-auth-session=[^;]+)", header)
    check(match, f"no session cookie in {header!r}")
    return match.group(1)


# -------------------------------------------------------------------- checks

def start(topology):
    for index in range(2):
        topology.start_instance(index)
    for index in range(2):
        wait_until(lambda i=index: topology.healthcheck(i) == 0,
                   f"sinch-auth-{index + 1} ready (sinch-auth healthcheck)", seconds=60)
    topology.start_nginx()
    wait_until(lambda: request(topology.nginx_port, "GET", "/").status == 200,
               "the page through nginx")


def signup_on_one_login_on_the_other(t, state):
    state["user"], state["password"] = username(), "correct horse battery staple"
    account = {"username": state["user"], "password": state["password"]}
    denied = t.call("POST", "/v1/accounts", body=account, origin=False)
    check(denied.status == 401 and '"code":"unauthenticated"' in denied.body,
          f"sign-up without the admin key: {denied}")
    wrong = t.call("POST", "/v1/accounts", body=account, origin=False,
                   headers={"Authorization": "Bearer not-the-admin-key-at-all"})
    check(wrong.status == 401 and "invalid_admin_key" in wrong.body,
          f"sign-up with a wrong admin key: {wrong}")
    bearer = {"Authorization": f"Bearer {t.admin_key}"}
    created, signup_on = t.served_by(
        "sinch_auth_signups_total", {"outcome": "created"},
        lambda: t.call("POST", "/v1/accounts", body=account, headers=bearer, origin=False))
    check(created.status == 201, f"sign-up: {created}")
    # Round robin: within a few logins one lands on the other instance.
    for _ in range(4):
        login, login_on = t.served_by(
            "sinch_auth_logins_total", {"outcome": "success"},
            lambda: t.call("POST", "/v1/login", body=account, origin=False))
        check(login.status == 200, f"login: {login}")
        if login_on != signup_on:
            break
    check(login_on != signup_on, "every login went to the instance that signed up")
    state["cookie"] = session_cookie(login)
    state["login"] = login.json()
    print(f"     signed up on sinch-auth-{signup_on + 1}, logged in on sinch-auth-{login_on + 1}")


def credentials_from_both(t, state, binary):
    served = set()
    for path, field in [("/v1/tickets", "userTicket"), ("/v1/registration-tokens", "token")] * 2:
        response, on = t.served_by(
            "sinch_auth_credentials_issued_total", {},
            lambda p=path: t.call("POST", p, cookie=state["cookie"]))
        check(response.status == 200, f"{path}: {response}")
        served.add(on)
        credential = response.json()[field]
        # Minted with the application whose secret compose mounts as a file.
        verified = subprocess.run(
            [binary, "verify", "-"], input=credential, capture_output=True, text=True,
            env=clean_env({"SINCH_APPLICATION_KEY": APPLICATION_KEY,
                           "SINCH_APPLICATION_SECRET_FILE":
                               str(t.secrets_dir / "sinch-application-secret")}))
        check(verified.returncode == 0 and f'"userId":"{state["user"]}"' in verified.stdout,
              f"sinch-auth verify: {verified.stdout} {verified.stderr}")
    check(served == {0, 1}, f"credentials came from instances {served} only")


def cross_site_check(t, state):
    for _ in range(2):  # both instances
        same = t.call("POST", "/v1/tickets", cookie=state["cookie"])
        check(same.status == 200, f"same-origin: {same}")
        for origin in ["https://evil.example", f"http://127.0.0.1:{t.nginx_port + 1}"]:
            other = t.call("POST", "/v1/tickets", cookie=state["cookie"], origin=origin)
            check(other.status == 403 and "cross_site_request" in other.body,
                  f"Origin {origin}: {other}")
        fetch = t.call("POST", "/v1/tickets", cookie=state["cookie"], origin=False,
                       headers={"Sec-Fetch-Site": "cross-site"})
        check(fetch.status == 403 and "cross_site_request" in fetch.body,
              f"Sec-Fetch-Site: cross-site: {fetch}")
        login = t.call("POST", "/v1/login", origin=False,
                       headers={"Sec-Fetch-Site": "cross-site"},
                       body={"username": state["user"], "password": state["password"]})
        check(login.status == 403 and "cross_site_request" in login.body,
              f"cross-site login: {login}")


def logout_honoured_by_both(t, state):
    out = t.call("POST", "/v1/logout", cookie=state["cookie"])
    check(out.status == 204, f"logout: {out}")
    cache_ms = int(t.services["sinch-auth-1"]["environment"]["SINCH_AUTH_SESSION_CACHE_MS"])
    time.sleep(cache_ms / 1000 + 0.5)
    before = t.counts("sinch_auth_auth_failures_total", reason="invalid_session")
    for _ in range(4):
        replay = t.call("POST", "/v1/tickets", cookie=state["cookie"])
        check(replay.status == 401 and "invalid_session" in replay.body, f"replayed: {replay}")
    after = t.counts("sinch_auth_auth_failures_total", reason="invalid_session")
    check(all(a > b for a, b in zip(after, before)),
          f"not refused by both instances: {before} -> {after}")


def per_ip_limit_uses_the_real_client(t):
    limited, other, direct = "127.0.0.21", "127.0.0.22", "127.0.0.23"

    def failed_login(source, xff):
        return t.call("POST", "/v1/login", source=source, origin=False,
                      headers={"X-Forwarded-For": xff},
                      body={"username": username(), "password": "not the password"})

    # The limited client forges a new address every time; nginx appends the
    # real one, which is what the instances must key on.
    statuses = []
    for n in range(60):
        statuses.append(failed_login(limited, f"198.51.100.{n + 1}").status)
        if statuses[-2:] == [429, 429]:
            break
    check(statuses[-2:] == [429, 429], f"never limited: {statuses}")
    check(statuses.count(401) >= 10, f"limited too early: {statuses}")
    # Another client is not, even claiming to be the limited one: behind
    # the balancer each client has its own bucket.
    for _ in range(2):
        response = failed_login(other, limited)
        check(response.status == 401, f"another client through nginx: {response}")
    # A client talking to an instance directly is not a trusted proxy: its
    # X-Forwarded-For is ignored.
    for port in t.api_ports:
        response = request(port, "POST", "/v1/login", source=direct,
                           headers={"X-Forwarded-For": limited},
                           body={"username": username(), "password": "not the password"})
        check(response.status == 401, f"direct with a forged header: {response}")
    check(sum(t.counts("sinch_auth_rate_limited_total", scope="login_ip")) >= 2,
          "no login_ip limit counted")


def kill_one_instance_mid_load(t):
    users = []
    for n in range(6):
        source = f"127.0.0.{31 + n}"
        account = {"username": username(), "password": "correct horse battery staple"}
        created = t.call("POST", "/v1/accounts", source=source, origin=False, body=account,
                         headers={"Authorization": f"Bearer {t.admin_key}"})
        check(created.status == 201, f"sign-up: {created}")
        login = t.call("POST", "/v1/login", source=source, origin=False, body=account)
        check(login.status == 200, f"login: {login}")
        users.append((source, session_cookie(login)))

    failures, results, lock = [], [], threading.Lock()
    start_at = time.monotonic()
    kill_at, stop_at = start_at + 1.5, start_at + 4.0
    plan = [("GET", "/v1/accounts/me"), ("POST", "/v1/tickets"),
            ("GET", "/v1/accounts/me"), ("GET", "/v1/accounts/me"),
            ("POST", "/v1/registration-tokens"), ("GET", "/v1/accounts/me"),
            ("GET", "/v1/accounts/me"), ("GET", "/v1/accounts/me")]

    def worker(source, cookie):
        n = 0
        while time.monotonic() < stop_at:
            method, path = plan[n % len(plan)]
            n += 1
            try:
                response = t.call(method, path, source=source, cookie=cookie)
                ok = response.status == 200
                outcome = response
            except OSError as error:
                ok, outcome = False, error
            with lock:
                results.append(ok)
                if not ok:
                    failures.append(f"{method} {path} from {source}: {outcome}")
            time.sleep(0.05)

    threads = [threading.Thread(target=worker, args=user) for user in users]
    for thread in threads:
        thread.start()
    time.sleep(max(0, kill_at - time.monotonic()))
    victim = t.processes[1]
    victim.kill()  # SIGKILL: no draining, connections reset mid-request
    victim.wait()
    killed_after = len(results)
    for thread in threads:
        thread.join()
    print(f"     {len(results)} requests, {killed_after} before the kill, "
          f"{len(failures)} failed")
    check(not failures, "failed through the balancer:\n       " + "\n       ".join(failures[:10]))
    check(killed_after >= 50 and len(results) - killed_after >= 100,
          f"the kill was not mid-load: {killed_after} of {len(results)}")
    dead = f"127.0.0.1:{t.api_ports[1]}"
    retried = [line for line in t.access_log.read_text().splitlines()
               if re.search(r"upstream=\S+, \S+", line) and " 200 " in line]
    check(retried, f"nginx retried nothing on another instance after {dead} was killed")
    print(f"     nginx retried {len(retried)} of them on the other instance, e.g.\n"
          f"     {retried[0]}")
    check(t.healthcheck(1) == 1, "healthcheck of the killed instance did not fail")
    check(t.healthcheck(0) == 0, "healthcheck of the surviving instance failed")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", required=True, type=Path)
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--keep", action="store_true", help="keep the work directory")
    args = parser.parse_args()
    binary = str(args.binary.resolve())
    workdir = Path(tempfile.mkdtemp(prefix="sinch-auth-scale-out-"))
    topology = Topology(binary, args.database_url, workdir)
    print(f"scale-out: nginx on 127.0.0.1:{topology.nginx_port} -> instances on "
          f"127.0.0.1:{topology.api_ports} (admin {topology.admin_ports}); "
          f"work directory {workdir}")
    print("scale-out: compose settings replaced here: listen addresses, upstream "
          "addresses, the trusted proxy (nginx's compose address -> 127.0.0.1), "
          "/run/secrets/* -> files in the work directory, the database URL")
    checks = Checks()
    state = {}
    try:
        if checks.run("two instances on PostgreSQL behind nginx start and are ready",
                      start, topology) is None and checks.failed:
            raise RuntimeError("could not start the topology")
        checks.run("sign-up on one instance, login on the other",
                   signup_on_one_login_on_the_other, topology, state)
        if "cookie" in state:
            checks.run("credentials served by both instances, minted with the secret file",
                       credentials_from_both, topology, state, binary)
            checks.run("cross-site check: same origin passes, other origins and sites fail",
                       cross_site_check, topology, state)
            checks.run("logout honoured by both instances", logout_honoured_by_both,
                       topology, state)
        checks.run("per-IP limit keyed on the real client, not the balancer",
                   per_ip_limit_uses_the_real_client, topology)
        checks.run("one instance killed mid-load: no failed request",
                   kill_one_instance_mid_load, topology)
    except RuntimeError as error:
        print(f"FAIL {error}")
    finally:
        topology.stop()
        if checks.failed:
            for log in sorted(workdir.glob("*.log")) + [workdir / "nginx" / "error.log"]:
                if log.exists():
                    print(f"--- last lines of {log} ---")
                    print("\n".join(log.read_text(errors="replace").splitlines()[-25:]))
        if not args.keep and not checks.failed:
            shutil.rmtree(workdir, ignore_errors=True)
    checks.finish()


if __name__ == "__main__":
    sys.path.insert(0, os.path.dirname(__file__))
    main()
