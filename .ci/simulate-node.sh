#!/usr/bin/env bash
# Cross-check `sinch-auth simulate` against Sinch's official Node SDK
# (@sinch/sdk-core, pinned in tests/simulate-node/package-lock.json): every
# simulated Voice, Numbers and Conversation request must pass the SDK's own
# signature validators, so our signer cannot agree only with our verifier.
set -euo pipefail
cd "$(dirname "$0")/.."

cargo build --quiet -p sinch-auth-cli
(cd tests/simulate-node && npm ci --no-audit --no-fund --loglevel=error)
ROOT=$PWD
cd tests/simulate-node
SINCH_AUTH_BIN="$ROOT/target/debug/sinch-auth" node --test simulate.test.mjs
