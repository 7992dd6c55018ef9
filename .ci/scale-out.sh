#!/usr/bin/env bash
# The compose topology (deploy/compose/compose.yaml) run for real on this
# machine, which has no container engine: Debian's PostgreSQL
# (.ci/postgres.sh), two `sinch-auth serve` processes (the stripped `dist`
# build the image ships) and Debian's nginx running the very template
# compose mounts. tests/deploy/scale_out.py drives it through the balancer
# and explains what it has to change (addresses, secret paths).
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v nginx >/dev/null || ! command -v envsubst >/dev/null; then
  echo "installing Debian's nginx and gettext-base (envsubst)"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    nginx gettext-base >/dev/null
fi
# Debian's package starts a default server on port 80; this suite runs its own.
if command -v systemctl >/dev/null && systemctl is-active --quiet nginx 2>/dev/null; then
  systemctl stop nginx || true
fi
python3 -m pip install --quiet --disable-pip-version-check pyyaml==6.0.3 dockerfile-parse==2.0.1

DATABASE_URL="$(bash .ci/postgres.sh start)"
echo "building the dist binary (the one the image ships)"
cargo build --locked --quiet --profile dist -p sinch-auth-cli

exec timeout 600 python3 tests/deploy/scale_out.py \
  --binary target/dist/sinch-auth --database-url "$DATABASE_URL"
