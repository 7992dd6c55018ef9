"""Configuration the deployment artefacts carry (called by
.ci/deploy-checks.sh):

- deploy/sinch-auth.example.toml loads with `sinch-auth serve
  --check-config`, as shipped and with every `# key = value` default line of
  its active sections uncommented (so the defaults it shows are real keys
  with valid values);
- every SINCH_* variable that the Dockerfile, compose.yaml, the Kubernetes
  manifests and the systemd files set is one that docs/service.md documents
  (a test of the service keeps that table equal to what the service reads),
  so a misspelt variable cannot be silently ignored;
- compose.yaml, interpolated as Compose does, validates against the Compose
  specification (compose-spec, PyPI) and has the topology docs/deploy.md
  describes.

Usage: config_check.py --binary target/dist/sinch-auth
"""

import argparse
import base64
import os
import re
import secrets
import subprocess
import sys
import tempfile
from pathlib import Path

from artefacts import REPO, Checks, check, compose, compose_text, free_port

EXAMPLE = REPO / "deploy" / "sinch-auth.example.toml"
DEPLOY_FILES = [REPO / "Dockerfile", REPO / "deploy" / "compose" / "compose.yaml",
                *sorted((REPO / "deploy" / "kubernetes").glob("*.yaml")),
                *sorted((REPO / "deploy" / "systemd").iterdir())]


def uncomment_defaults(text):
    """Uncomments `# key = value` lines, except inside sections that are
    themselves commented out (`# [jwt]`)."""
    out, in_commented_section = [], False
    for line in text.splitlines():
        if re.match(r"^\[", line):
            in_commented_section = False
        elif re.match(r"^# \[", line):
            in_commented_section = True
        match = re.match(r"^# ([a-z_]+ = .*)$", line)
        if match and not in_commented_section:
            out.append(match.group(1))
        else:
            out.append(line)
    return "\n".join(out) + "\n"


def check_config(binary, config, workdir):
    secret_file = workdir / "secret"
    secret_file.write_text(base64.b64encode(secrets.token_bytes(32)).decode())
    admin_keys = workdir / "admin-keys"
    admin_keys.write_text(secrets.token_hex(20))
    env = {"PATH": os.environ["PATH"],
           "SINCH_APPLICATION_KEY": "5f5c418a-0f91-4bbc-8234-a9bf5eddad97",
           "SINCH_APPLICATION_SECRET_FILE": str(secret_file),
           "SINCH_AUTH_SIGNUP_ADMIN_KEYS_FILE": str(admin_keys)}
    return subprocess.run(
        [binary, "serve", "--config", str(config), "--check-config",
         "--listen", f"127.0.0.1:{free_port()}", "--admin-listen", f"127.0.0.1:{free_port()}",
         "--database-url", f"sqlite://{workdir}/check.db"],
        env=env, capture_output=True, text=True, timeout=60)


def example_loads(binary, workdir):
    result = check_config(binary, EXAMPLE, workdir)
    check(result.returncode == 0 and "configuration OK" in result.stdout,
          f"as shipped: {result.stdout} {result.stderr}")
    uncommented = uncomment_defaults(EXAMPLE.read_text())
    count = sum(1 for a, b in zip(EXAMPLE.read_text().splitlines(), uncommented.splitlines())
                if a != b)
    check(count >= 20, f"only {count} default lines found to uncomment")
    variant = workdir / "uncommented.toml"
    variant.write_text(uncommented)
    result = check_config(binary, variant, workdir)
    check(result.returncode == 0 and "configuration OK" in result.stdout,
          f"with the {count} defaults uncommented: {result.stdout} {result.stderr}")
    # And the check is not a formality: a misspelt key fails it.
    variant.write_text(EXAMPLE.read_text().replace("log_format =", "log_fromat ="))
    result = check_config(binary, variant, workdir)
    check(result.returncode == 2 and "log_fromat" in result.stderr,
          f"a misspelt key was accepted: {result.returncode} {result.stderr}")
    print(f"     as shipped, and with {count} default lines uncommented")


def documented_variables():
    text = (REPO / "docs" / "service.md").read_text()
    return set(re.findall(r"`((?:SINCH|XDG)_[A-Z_]+)`", text))


def variables_are_documented():
    documented = documented_variables() | {"XDG_DATA_HOME"}
    check(len(documented) > 40, f"only {len(documented)} variables found in docs/service.md")
    seen = {}
    for path in DEPLOY_FILES:
        text = path.read_text()
        # ${NAME} in compose.yaml is read by Compose itself, not the service.
        interpolated = set(re.findall(r"\$\{([A-Z_]+)", text)) if path.suffix == ".yaml" else set()
        for name in re.findall(r"\b(SINCH_[A-Z_]+)\b", text):
            if name not in interpolated or name in documented:
                seen.setdefault(name, path.relative_to(REPO))
    unknown = {name: str(path) for name, path in seen.items() if name not in documented}
    check(not unknown, f"variables the service does not document: {unknown}")
    print(f"     {len(seen)} variables across {len(DEPLOY_FILES)} files")


def compose_validates():
    from compose_spec import PyCompose

    env = {"SINCH_APPLICATION_KEY": "a32e5a8d-f7d8-411c-9645-9038e8dd051d"}
    PyCompose.from_yaml(compose_text(env))
    # The validator is strict: a misspelt key is refused.
    try:
        PyCompose.from_yaml(compose_text(env).replace("read_only:", "readonly:", 1))
    except ValueError:
        pass
    else:
        raise AssertionError("compose-spec accepted a misspelt key")
    try:
        compose_text({})
    except ValueError as error:
        check("SINCH_APPLICATION_KEY" in str(error), str(error))
    else:
        raise AssertionError("compose.yaml does not require SINCH_APPLICATION_KEY")

    project = compose(env)
    services = project["services"]
    instances = [name for name in services if name.startswith("sinch-auth-")]
    check(len(instances) == 2, f"instances: {instances}")
    first, second = (services[name] for name in instances)
    check(first["environment"] == second["environment"], "the two instances differ in settings")
    check(first["secrets"] == second["secrets"], "the two instances differ in secrets")
    nginx = services["nginx"]
    nginx_ip = nginx["networks"]["backend"]["ipv4_address"]
    check(first["environment"]["SINCH_AUTH_TRUSTED_PROXIES"] == nginx_ip,
          "the instances trust something else than nginx")
    for name in instances:
        check("ports" not in services[name], f"{name} is published: bypasses nginx")
    check("ports" not in services["postgres"], "PostgreSQL is published")
    for value in first["environment"].values():
        check("/run/secrets/" in str(value) or not re.search(r"postgres://", str(value)),
              "a database URL in the environment")
    for name, secret in project["secrets"].items():
        check("file" in secret, f"secret {name} is not a file")
    check(project["networks"]["database"].get("internal") is True, "database network not internal")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", required=True, type=Path)
    args = parser.parse_args()
    binary = str(args.binary.resolve())
    checks = Checks()
    with tempfile.TemporaryDirectory(prefix="sinch-auth-config-") as workdir:
        checks.run("deploy/sinch-auth.example.toml passes --check-config", example_loads,
                   binary, Path(workdir))
    checks.run("every SINCH_* variable in deploy files is a documented one",
               variables_are_documented)
    checks.run("compose.yaml validates (compose-spec) and is the documented topology",
               compose_validates)
    checks.finish()


if __name__ == "__main__":
    sys.path.insert(0, os.path.dirname(__file__))
    main()
