#!/usr/bin/env bash
# Runs every Doorstep check: formatting, lints, licences, Rust tests, UI unit
# and browser tests, packaging, the real app window, and the demo start-up.
# Installs what it needs first (scripts/install-deps.sh), so a fresh Debian 12
# or Ubuntu machine needs nothing else. Run as root or with sudo available.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
export CARGO_TERM_COLOR=${CARGO_TERM_COLOR:-never}
export PATH="$HOME/.cargo/bin:$PATH"
target_dir=${CARGO_TARGET_DIR:-$root/target}
mkdir -p test-output

started=$SECONDS
step() { printf '\n==> [%4ss] %s\n' "$((SECONDS - started))" "$*"; }

step "Installing dependencies"
scripts/install-deps.sh

step "Formatting (cargo fmt --check)"
cargo fmt --all --check

step "Licences, bans and sources (cargo deny)"
cargo fetch --locked --quiet
cargo deny --offline --log-level error check licenses bans sources
advisories_log=$(mktemp)
if cargo deny --log-level error check advisories >"$advisories_log" 2>&1; then
  echo "advisories: no known vulnerabilities"
elif grep -q "failed to fetch advisory database" "$advisories_log"; then
  echo "advisories SKIPPED: the RustSec advisory database cannot be fetched from this network."
  echo "  (licences, bans and sources were still checked above)"
else
  cat "$advisories_log"
  exit 1
fi

step "Build: UI, every workspace target, and debug .deb/.rpm bundles (tauri build)"
# tauri build runs the UI build (vite + govuk-frontend Sass) first, because the
# app embeds ui/dist. The cargo arguments after -- make it build the whole
# workspace with one feature set, so clippy, the tests and the demo reuse this
# build instead of compiling a second copy of shared dependencies.
ui/node_modules/.bin/tauri build --debug --bundles deb,rpm --ci -- --workspace --all-targets --locked

step "Clippy (-D warnings)"
cargo clippy --workspace --all-targets --locked -- -D warnings

step "Rust tests (cargo nextest, with a real keyring and a real PostgreSQL)"
scripts/with-postgres.sh scripts/with-keyring.sh cargo nextest run --workspace --locked --no-fail-fast

step "UI unit tests (vitest)"
npm --prefix ui test

step "UI browser tests (Chromium, axe-core WCAG 2.2 AA)"
npm --prefix ui run test:e2e

step "Packaging: the .deb and .rpm from the build step"
DOORSTEP_BUNDLE_DIR="$target_dir/debug/bundle" node --test tests/packaging/

step "The server's systemd unit (systemd-analyze verify and security)"
if command -v systemd-analyze >/dev/null; then
  # The unit names the installed binary; check it against the one just built.
  unit_dir=$(mktemp -d)
  sed "s#/usr/bin/doorstep-server#$target_dir/debug/doorstep-server#" \
    packaging/systemd/doorstep-server.service >"$unit_dir/doorstep-server.service"
  systemd-analyze verify "$unit_dir/doorstep-server.service"
  systemd-analyze security --offline=yes --threshold=20 "$unit_dir/doorstep-server.service" | tail -1
  rm -rf "$unit_dir"
else
  echo "systemd unit SKIPPED: systemd-analyze is not installed here"
fi

step "Real app window (Xvfb, tauri-driver, WebKitWebDriver)"
window_device=$(mktemp -d)
DOORSTEP_DATA_DIR=$window_device DOORSTEP_COUNCIL_NAME="Example Borough Council" DOORSTEP_COUNCIL_COLOUR="#00703c" \
DOORSTEP_APP_BINARY="$target_dir/debug/doorstep-app" \
DOORSTEP_EXPECTED_VERSION="$(cargo metadata --no-deps --format-version 1 --locked |
  node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).packages.find(p=>p.name==="doorstep-app").version))')" \
  scripts/with-keyring.sh xvfb-run --auto-servernum --server-args="-screen 0 1280x900x24" \
  node --test --test-concurrency=1 ui/tests/window/
rm -rf "$window_device"

step "The README's run command leaves a window open on a running server"
tests/demo/check-demo.sh

step "All checks passed in $((SECONDS - started)) s"
