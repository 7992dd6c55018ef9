"""What stands in for `docker build` and `docker run` on a machine with no
container engine (called by .ci/deploy-checks.sh).

The build stage: the caller builds the binary exactly as the Dockerfile's
build stage does (`cargo build --locked --profile dist -p sinch-auth-cli`);
this program checks that every file the build read (cargo's dep-info) is in
the build context that .dockerignore leaves (the Docker SDK's own matcher).

The runtime stage: starting from a `debootstrap --variant=minbase` root of
the Debian release the Dockerfile names (what `debian:<release>-slim` is
made from), it plays the runtime stage's instructions one by one: RUN in a
chroot, COPY --from=build of the binary, ENV, USER, VOLUME, ... An
instruction it does not know fails the check, so the Dockerfile cannot grow
a step this stand-in skips. Then it runs the image as `docker run
--read-only` would: a private mount namespace, the root read-only, the
volume writable, /proc and a minimal /dev, as the image's USER, with the
image's ENV (only the listen addresses moved to 127.0.0.1 free ports).

Usage: image_check.py --binary target/dist/sinch-auth --dep-info target/dist/sinch-auth.d
                      --cache /var/cache/sinch-auth-ci
"""

import argparse
import json
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

from artefacts import (DOCKERFILE, REPO, Checks, check, env_pairs, free_port, request,
                       runtime_stage, wait_until)

# What the build stage leaves for COPY --from=build, and where the stand-in
# build put it.
BUILD_OUTPUTS = {"/out/sinch-auth": "binary"}
DOCKER_DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"


class Image:
    """The runtime stage, played into a directory."""

    def __init__(self, root):
        self.root = root
        self.args, self.env = {}, {}
        self.user, self.volumes, self.exposed = "0:0", [], []
        self.healthcheck, self.entrypoint, self.cmd = None, [], []
        self.base = None


def debian_mirror():
    """The Debian archive this machine's apt uses (CI has no other)."""
    for source in sorted(Path("/etc/apt").rglob("*.sources")):
        for line in source.read_text().splitlines():
            if line.startswith("URIs:") and "security" not in line:
                return line.split()[1]
    for line in Path("/etc/apt/sources.list").read_text().splitlines():
        words = line.split()
        if words[:1] == ["deb"] and "security" not in line:
            return next(w for w in words[1:] if "://" in w)
    raise RuntimeError("no Debian mirror in /etc/apt")


def minbase_root(release, cache):
    """A cached `debootstrap --variant=minbase` root of `release`."""
    root = cache / f"minbase-{release}"
    if not (root / "etc" / "debian_version").exists():
        shutil.rmtree(root, ignore_errors=True)
        partial = cache / f"minbase-{release}.partial"
        shutil.rmtree(partial, ignore_errors=True)
        cache.mkdir(parents=True, exist_ok=True)
        print(f"     debootstrap --variant=minbase {release} (cached in {cache})", flush=True)
        subprocess.run(["debootstrap", "--variant=minbase", release, str(partial),
                        debian_mirror()], check=True, stdout=subprocess.DEVNULL)
        partial.rename(root)
    return root


def build_context_has_every_source(dep_info):
    """Every repository file the binary was built from passes .dockerignore."""
    from docker.utils.build import exclude_paths

    patterns = [line.strip() for line in (REPO / ".dockerignore").read_text().splitlines()
                if line.strip() and not line.startswith("#")]
    context = set(exclude_paths(str(REPO), patterns, dockerfile="Dockerfile"))
    text = Path(dep_info).read_text().replace("\\\n", " ")
    _, _, deps = text.partition(": ")
    read = {os.path.relpath(p, REPO) for p in deps.split()
            if os.path.abspath(p).startswith(str(REPO) + os.sep)}
    read |= {"Cargo.toml", "Cargo.lock"} | {
        str(p.relative_to(REPO)) for p in (REPO / "crates").glob("*/Cargo.toml")}
    check(len(read) > 50, f"dep-info lists only {len(read)} repository files")
    missing = sorted(read - context)
    check(not missing, f"in the build but not in the build context: {missing[:10]}")
    leaked = sorted(p for p in context if p.startswith(("target/", ".git/", "tests/", "docs/")))
    check(not leaked, f"the build context carries what no build reads: {leaked[:10]}")
    print(f"     {len(read)} files read by the build, all among the {len(context)} "
          f"of the context")


def play_runtime_stage(binary, cache, workdir):
    parser, instructions = runtime_stage()
    base = parser.baseimage
    match = re.fullmatch(r"debian:([a-z]+)-slim", base)
    check(match, f"runtime base {base}: the check knows debian:<release>-slim only")
    image = Image(workdir / "rootfs")
    image.base = base
    print(f"     FROM {base}: copying the minbase root", flush=True)
    subprocess.run(["cp", "-a", str(minbase_root(match.group(1), cache)), str(image.root)],
                   check=True)
    for instruction, value in instructions[1:]:
        if instruction == "ARG":
            name, _, default = value.partition("=")
            image.args[name] = default
        elif instruction == "RUN":
            check(not value.startswith("--"), f"RUN flags are not played here: {value[:40]}")
            env = {"PATH": DOCKER_DEFAULT_PATH, **image.args, **image.env}
            subprocess.run(["chroot", str(image.root), "/bin/sh", "-c", value],
                           env=env, check=True)
        elif instruction == "COPY":
            words = shlex.split(value)
            check(words[0] == "--from=build" and len(words) == 3,
                  f"only COPY --from=build SRC DST is played here: {value}")
            source, target = words[1], words[2]
            check(source in BUILD_OUTPUTS, f"the build stage stand-in has no {source}")
            destination = image.root / target.lstrip("/")
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(binary, destination)
            os.chown(destination, 0, 0)
        elif instruction == "ENV":
            image.env.update(env_pairs(value))
        elif instruction == "USER":
            check(re.fullmatch(r"\d+:\d+", value), f"USER must be numeric uid:gid: {value}")
            image.user = value
        elif instruction == "VOLUME":
            image.volumes = json.loads(value)
        elif instruction == "EXPOSE":
            image.exposed = value.split()
        elif instruction == "HEALTHCHECK":
            _, _, command = value.partition("CMD")
            image.healthcheck = json.loads(command)
        elif instruction == "ENTRYPOINT":
            image.entrypoint = json.loads(value)
        elif instruction == "CMD":
            image.cmd = json.loads(value)
        else:
            raise AssertionError(f"the image check does not play {instruction}")
    check(image.entrypoint and image.cmd and image.healthcheck, "ENTRYPOINT, CMD, HEALTHCHECK")
    return image


class Container:
    """`docker run --read-only -v VOLUME` of the played image."""

    def __init__(self, image, volume_dir, overrides):
        self.image = image
        self.volume_dir = volume_dir
        uid = int(image.user.split(":")[0])
        home = "/"
        for line in (image.root / "etc" / "passwd").read_text().splitlines():
            fields = line.split(":")
            if fields[2] == str(uid):
                home = fields[5]
        self.env = {"PATH": DOCKER_DEFAULT_PATH, "HOSTNAME": "sinch-auth", "HOME": home,
                    **image.env, **overrides}

    def _argv(self, command):
        root = shlex.quote(str(self.image.root))
        mounts = ["mount --make-rprivate /", f"mount --bind {root} {root}"]
        for volume in self.image.volumes:
            mounts.append(f"mount --bind {shlex.quote(str(self.volume_dir))} "
                          f"{root}{shlex.quote(volume)}")
        mounts += [f"mount -o remount,bind,ro {root}",
                   f"mount -t proc proc {root}/proc",
                   f"mount -t tmpfs -o mode=755,size=64k tmpfs {root}/dev"]
        for device in ["null", "zero", "random", "urandom"]:
            mounts.append(f"touch {root}/dev/{device} && mount --bind /dev/{device} "
                          f"{root}/dev/{device}")
        env = " ".join(shlex.quote(f"{k}={v}") for k, v in self.env.items())
        script = " && ".join(mounts) + (
            f" && exec chroot --userspec={self.image.user} {root} /usr/bin/env -i {env} "
            + " ".join(shlex.quote(word) for word in command))
        return ["unshare", "--mount", "--", "/bin/sh", "-c", script]

    def exec(self, command, timeout=30):
        """`docker exec`: a command in the same kind of container."""
        return subprocess.run(self._argv(command), capture_output=True, text=True,
                              timeout=timeout)

    def run(self, log):
        """`docker run`: ENTRYPOINT + CMD, in the background."""
        return subprocess.Popen(self._argv(self.image.entrypoint + self.image.cmd),
                                stdout=log, stderr=subprocess.STDOUT)

    def healthy(self):
        command = self.image.healthcheck
        # The HEALTHCHECK names the binary by PATH, as Docker runs it.
        return self.exec(command).returncode == 0


def the_image_runs(image, workdir):
    uid, gid = (int(n) for n in image.user.split(":"))
    check(uid != 0, "the image runs as root")
    check(image.exposed == ["8080", "9090"], f"EXPOSE {image.exposed}")
    for volume in image.volumes:
        stat = (image.root / volume.lstrip("/")).stat()
        check((stat.st_uid, stat.st_gid) == (uid, gid),
              f"{volume} is owned by {stat.st_uid}:{stat.st_gid}, not the image's user")
    check(image.env.get("SINCH_AUTH_LISTEN") == "0.0.0.0:8080", "SINCH_AUTH_LISTEN")
    check(image.env.get("SINCH_AUTH_ADMIN_LISTEN") == "0.0.0.0:9090", "SINCH_AUTH_ADMIN_LISTEN")

    # A named volume starts as a copy of the image's directory, ownership included.
    volume_dir = workdir / "volume"
    volume_dir.mkdir()
    os.chown(volume_dir, uid, gid)
    os.chmod(volume_dir, 0o700)
    api, admin = free_port(), free_port()
    container = Container(image, volume_dir, {"SINCH_AUTH_LISTEN": f"127.0.0.1:{api}",
                                              "SINCH_AUTH_ADMIN_LISTEN": f"127.0.0.1:{admin}"})

    version = container.exec(image.entrypoint + ["--version"])
    check(version.returncode == 0 and "sinch-auth" in version.stdout,
          f"--version in the image: {version.stdout} {version.stderr}")
    check(not container.healthy(), "HEALTHCHECK passed with no service running")
    # `--read-only`: only the volume is writable, and the service needs no more.
    readonly = container.exec(["/usr/bin/touch", "/tmp/probe"])
    check(readonly.returncode != 0 and "Read-only" in readonly.stderr,
          f"the root is writable: {readonly.stderr}")
    volume = image.volumes[0]
    writable = container.exec(["/usr/bin/touch", f"{volume}/probe"])
    check(writable.returncode == 0, f"the volume is not writable by the user: {writable.stderr}")
    (volume_dir / "probe").unlink()

    account = {"username": "imagecheck", "password": "correct horse battery staple"}
    for attempt in (1, 2):  # the second run reuses the volume
        log_path = workdir / f"serve-{attempt}.log"
        with open(log_path, "wb") as log:
            process = container.run(log)
        try:
            wait_until(container.healthy, f"HEALTHCHECK {image.healthcheck}", seconds=60,
                       interval=0.5)
            status = Path(f"/proc/{process.pid}/status").read_text()
            check(re.search(rf"^Uid:\s+{uid}\s", status, re.M), "serve does not run as USER")
            if attempt == 1:
                created = request(api, "POST", "/v1/accounts", body=account)
                check(created.status == 201, f"sign-up: {created}")
            login = request(api, "POST", "/v1/login", body=account)
            check(login.status == 200, f"login (run {attempt}): {login}")
            database = volume_dir / "sinch-auth.db"
            check(database.exists(), f"no database on the volume: {os.listdir(volume_dir)}")
            stat = database.stat()
            check(stat.st_uid == uid and stat.st_mode & 0o077 == 0,
                  f"database owner {stat.st_uid}, mode {oct(stat.st_mode)}")
            # `docker stop`: SIGTERM, then SIGKILL after 10 s.
            process.send_signal(signal.SIGTERM)
            check(process.wait(timeout=10) == 0, "serve did not exit 0 on SIGTERM within 10 s")
        except BaseException:
            print(log_path.read_text(errors="replace")[-3000:])
            raise
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()
    check(not container.healthy(), "HEALTHCHECK passed after the service stopped")
    lines = [line for line in (workdir / "serve-1.log").read_text().splitlines() if line.strip()]
    # The one exception: development mode's banner of generated credentials
    # (no Sinch credentials are set here), plain text between rules of '='.
    rules = [i for i, line in enumerate(lines) if re.fullmatch(r"=+", line)]
    banner = range(rules[0], rules[-1] + 1) if rules else range(0)
    not_json = [line for i, line in enumerate(lines)
                if i not in banner and not line.startswith("{")]
    check(lines and not not_json,
          f"log lines that are not JSON (SINCH_AUTH_LOG_FORMAT=json): {not_json[:5]}")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", required=True, type=Path)
    parser.add_argument("--dep-info", required=True, type=Path)
    parser.add_argument("--cache", default="/var/cache/sinch-auth-ci", type=Path)
    args = parser.parse_args()
    check(os.geteuid() == 0, "needs root (chroot, mount namespaces), as CI has")
    workdir = Path(tempfile.mkdtemp(prefix="sinch-auth-image-"))
    os.chmod(workdir, 0o755)
    print(f"image check: {DOCKERFILE.name}, work directory {workdir}")
    checks = Checks()
    try:
        checks.run("the build context (.dockerignore) holds every file the build reads",
                   build_context_has_every_source, args.dep_info)
        image = checks.run("the runtime stage plays on a debootstrap minbase root",
                           play_runtime_stage, args.binary.resolve(), args.cache, workdir)
        if image:
            checks.run("the image runs read-only as its user: HEALTHCHECK, sign-up, volume, "
                       "SIGTERM, restart", the_image_runs, image, workdir)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    checks.finish()


if __name__ == "__main__":
    sys.path.insert(0, os.path.dirname(__file__))
    main()
