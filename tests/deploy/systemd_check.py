"""deploy/systemd/sinch-auth.service, as far as a machine without systemd as
PID 1 can run it (called by .ci/deploy-checks.sh, after
`systemd-analyze verify` has checked the unit itself).

It plays what systemd would do at start, from the unit's own lines:
LoadCredential= copies each file into a private credentials directory owned
by the service's user (files 0400, directory 0500); DynamicUser= is a uid of
systemd's dynamic range with no other rights; StateDirectory= is a 0700
directory of that user; the specifiers %d, %E and %S are expanded in
Environment= and EnvironmentFile=. Then it runs ExecStart as that user with
exactly that environment, and checks that the service reads every
credential: --check-config passes, the admin key (a credential) allows a
sign-up, and the tickets verify with the secret (another credential). The
sandboxing lines (ProtectSystem=, SystemCallFilter=, ...) are not enforced
here; `systemd-analyze security --offline` scores them instead.

Usage: systemd_check.py --binary target/dist/sinch-auth
"""

import argparse
import base64
import os
import secrets
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

from artefacts import REPO, Checks, check, free_port, request, wait_until

UNIT = REPO / "deploy" / "systemd" / "sinch-auth.service"
DYNAMIC_UID = 61234  # systemd's DynamicUser= range is 61184-65519


def unit_lines(section):
    """[(key, value)] of one section, in order (keys repeat)."""
    lines, current = [], None
    for raw in UNIT.read_text().splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("["):
            current = line.strip("[]")
        elif current == section:
            key, _, value = line.partition("=")
            lines.append((key.strip(), value.strip()))
    return lines


def values(key):
    return [v for k, v in unit_lines("Service") if k == key]


class Host:
    """The directories systemd would use, under a temporary root."""

    def __init__(self, workdir):
        self.etc = workdir / "etc"
        self.state = workdir / "var-lib"
        self.credentials = workdir / "run-credentials"
        self.secret = base64.b64encode(secrets.token_bytes(32)).decode()
        self.admin_key = secrets.token_hex(20)
        self.api, self.admin = free_port(), free_port()

    def specifiers(self, text):
        return (text.replace("%d", str(self.credentials)).replace("%E", str(self.etc))
                .replace("%S", str(self.state)).replace("%%", "%"))

    def on_host(self, path):
        """An absolute path of the unit, moved under the temporary /etc."""
        check(path.startswith("/etc/"), f"{path}: expected under /etc")
        return self.etc / path.removeprefix("/etc/")


def install(host, workdir):
    """What the unit's header tells an operator to install, and the
    credential files (root-only, as it says)."""
    (host.etc / "sinch-auth").mkdir(parents=True)
    shutil.copy(REPO / "deploy" / "sinch-auth.example.toml", host.etc / "sinch-auth" / "sinch-auth.toml")
    env_file = (REPO / "deploy" / "systemd" / "sinch-auth.env.example").read_text()
    # This host's addresses: free loopback ports instead of 8080/9090.
    env_file += (f"\nSINCH_AUTH_LISTEN=127.0.0.1:{host.api}\n"
                 f"SINCH_AUTH_ADMIN_LISTEN=127.0.0.1:{host.admin}\n")
    (host.etc / "sinch-auth" / "sinch-auth.env").write_text(env_file)
    contents = {
        "sinch-application-secret": host.secret,
        "database-url": f"sqlite://{host.state}/sinch-auth/sinch-auth.db",
        "signup-admin-keys": host.admin_key,
    }
    for line in values("LoadCredential"):
        name, _, source = line.partition(":")
        path = host.on_host(source)
        path.parent.mkdir(parents=True, exist_ok=True)
        os.chmod(path.parent, 0o700)
        path.write_text(contents[name] + "\n")
        os.chmod(path, 0o600)
    check(set(contents) == {v.partition(":")[0] for v in values("LoadCredential")},
          f"LoadCredential= names {values('LoadCredential')}")


def start_like_systemd(host):
    """LoadCredential=, DynamicUser=, StateDirectory=; returns the
    environment of the service."""
    check(values("DynamicUser") == ["yes"], "DynamicUser=yes")
    host.credentials.mkdir()
    for line in values("LoadCredential"):
        name, _, source = line.partition(":")
        target = host.credentials / name
        shutil.copy(host.on_host(source), target)
        os.chown(target, DYNAMIC_UID, DYNAMIC_UID)
        os.chmod(target, 0o400)
    os.chown(host.credentials, DYNAMIC_UID, DYNAMIC_UID)
    os.chmod(host.credentials, 0o500)
    for name in values("StateDirectory"):
        directory = host.state / name
        directory.mkdir(parents=True)
        os.chown(directory, DYNAMIC_UID, DYNAMIC_UID)
        os.chmod(directory, int(values("StateDirectoryMode")[0], 8))
    os.chmod(host.state, 0o755)

    env = {"PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin",
           "CREDENTIALS_DIRECTORY": str(host.credentials),
           "STATE_DIRECTORY": str(host.state / values("StateDirectory")[0])}
    for line in values("Environment"):
        for assignment in shlex.split(host.specifiers(line)):
            key, _, value = assignment.partition("=")
            env[key] = value
    for line in values("EnvironmentFile"):
        path = Path(host.specifiers(line.lstrip("-")))
        for raw in path.read_text().splitlines():
            if raw.strip() and not raw.lstrip().startswith("#"):
                key, _, value = raw.partition("=")
                env[key.strip()] = value.strip()
    return env


def exec_start(host, env, extra=()):
    command = shlex.split(values("ExecStart")[0])
    check(command[0] == "/usr/local/bin/sinch-auth", f"ExecStart={command}")
    argv = ["setpriv", f"--reuid={DYNAMIC_UID}", f"--regid={DYNAMIC_UID}", "--clear-groups",
            "env", "-i", *[f"{k}={v}" for k, v in env.items()],
            host.binary, *command[1:], *extra]
    return argv


def credentials_are_read(host, workdir):
    install(host, workdir)
    env = start_like_systemd(host)
    for key in ["SINCH_APPLICATION_SECRET_FILE", "SINCH_AUTH_DATABASE_URL_FILE",
                "SINCH_AUTH_SIGNUP_ADMIN_KEYS_FILE"]:
        check(env[key].startswith(str(host.credentials) + "/"), f"{key}={env[key]}")

    checked = subprocess.run(exec_start(host, env, ["--check-config"]), capture_output=True,
                             text=True, timeout=60)
    check(checked.returncode == 0 and "configuration OK" in checked.stdout,
          f"--check-config: {checked.stdout} {checked.stderr}")
    check(host.secret not in checked.stdout + checked.stderr, "the secret was printed")

    # Without LoadCredential=, the service user cannot read the root-only
    # files, and says which setting is at fault.
    direct = dict(env, SINCH_APPLICATION_SECRET_FILE=str(
        host.on_host("/etc/sinch-auth/credentials/sinch-application-secret")))
    refused = subprocess.run(exec_start(host, direct, ["--check-config"]), capture_output=True,
                             text=True, timeout=60)
    check(refused.returncode == 2 and "SINCH_APPLICATION_SECRET_FILE" in refused.stderr,
          f"reading the credential file directly: {refused.returncode} {refused.stderr}")

    log = open(workdir / "serve.log", "wb")
    process = subprocess.Popen(exec_start(host, env), stdout=log, stderr=subprocess.STDOUT)
    try:
        wait_until(lambda: subprocess.run(
            [host.binary, "healthcheck"], env={"SINCH_AUTH_ADMIN_LISTEN": env["SINCH_AUTH_ADMIN_LISTEN"]},
            capture_output=True).returncode == 0, "sinch-auth healthcheck", seconds=60)
        account = {"username": "systemd", "password": "correct horse battery staple"}
        denied = request(host.api, "POST", "/v1/accounts", body=account)
        check(denied.status == 401, f"sign-up without the admin key: {denied}")
        created = request(host.api, "POST", "/v1/accounts", body=account,
                          headers={"Authorization": f"Bearer {host.admin_key}"})
        check(created.status == 201, f"sign-up with the admin key credential: {created}")
        login = request(host.api, "POST", "/v1/login", body=account)
        check(login.status == 200, f"login: {login}")
        ticket = login.json()["userTicket"]
        verified = subprocess.run(
            [host.binary, "verify", "-"], input=ticket, capture_output=True, text=True,
            env={"SINCH_APPLICATION_KEY": env["SINCH_APPLICATION_KEY"],
                 "SINCH_APPLICATION_SECRET": host.secret})
        check(verified.returncode == 0, f"the ticket does not verify with the credential secret: "
                                        f"{verified.stderr}")
        database = host.state / "sinch-auth" / "sinch-auth.db"
        check(database.exists() and database.stat().st_uid == DYNAMIC_UID,
              "the database is not in the StateDirectory, owned by the service user")
        process.send_signal(signal.SIGTERM)
        check(process.wait(timeout=40) == 0, "serve did not exit 0 on SIGTERM")
    except BaseException:
        print((workdir / "serve.log").read_text(errors="replace")[-3000:])
        raise
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", required=True, type=Path)
    args = parser.parse_args()
    check(os.geteuid() == 0, "needs root (to become the dynamic user), as CI has")
    workdir = Path(tempfile.mkdtemp(prefix="sinch-auth-systemd-"))
    os.chmod(workdir, 0o755)
    host = Host(workdir)
    host.binary = str(args.binary.resolve())
    checks = Checks()
    try:
        checks.run("the unit's credentials reach the service as its dynamic user",
                   credentials_are_read, host, workdir)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    checks.finish()


if __name__ == "__main__":
    sys.path.insert(0, os.path.dirname(__file__))
    main()
