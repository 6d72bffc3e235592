#!/usr/bin/env bash
# Installs everything Doorstep needs to build, run and test on Debian 12 or Ubuntu 22.04+.
# Idempotent: a second run only checks what is already there. Needs root or sudo for apt.
set -euo pipefail
cd "$(dirname "$0")/.."

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

apt_packages=(
  # Tauri 2 build dependencies (webkit2gtk 4.1, libsoup 3)
  build-essential pkg-config file curl libssl-dev
  libwebkit2gtk-4.1-dev libsoup-3.0-dev libayatana-appindicator3-dev librsvg2-dev
  # Real-window tests: virtual display, screenshots, WebDriver for WebKitGTK
  xvfb xauth x11-utils imagemagick webkit2gtk-driver
  # Browser UI tests: Debian's Chromium driven by playwright-core
  chromium
  # Server tests on PostgreSQL: a throwaway cluster (scripts/with-postgres.sh)
  postgresql python3
  # Package inspection in the packaging test
  rpm dpkg-dev
  # The real OS keyring for the device store's tests (scripts/with-keyring.sh):
  # a private D-Bus session with GNOME Keyring as the Secret Service
  dbus dbus-user-session gnome-keyring libsecret-tools
  # Front-end toolchain
  nodejs npm
)

missing=()
for p in "${apt_packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# The machine may already carry a newer Node.js outside apt; keep it rather than downgrade.
if command -v node >/dev/null && command -v npm >/dev/null; then
  filtered=()
  for p in "${missing[@]}"; do [[ "$p" == nodejs || "$p" == npm ]] || filtered+=("$p"); done
  missing=("${filtered[@]}")
fi
if [ "${#missing[@]}" -gt 0 ]; then
  echo "==> apt: installing ${missing[*]}"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
else
  echo "==> apt: all packages present"
fi

node_major=$(node -p 'process.versions.node.split(".").map(Number).reduce((a,b,i)=>i<2?a*1000+b:a)' 2>/dev/null || echo 0)
if [ "$node_major" -lt 20019 ]; then
  echo "error: Node.js 20.19 or newer is needed for the UI build (Vite 8); found $(node --version 2>/dev/null || echo none)." >&2
  echo "       Debian 12's own nodejs is 18; install Node.js 20 or 22 from your usual source, then run this again." >&2
  exit 1
fi

# npm ci wipes node_modules, so only run it when the lock file changed.
lock_sum=$(sha256sum ui/package-lock.json | cut -d' ' -f1)
stamp=ui/node_modules/.doorstep-lock.sha256
if [ "$(cat "$stamp" 2>/dev/null)" != "$lock_sum" ]; then
  echo "==> npm: installing UI packages (ui/package-lock.json)"
  (cd ui && npm ci --no-audit --no-fund --loglevel=error)
  echo "$lock_sum" >"$stamp"
else
  echo "==> npm: UI packages match ui/package-lock.json"
fi

export PATH="$HOME/.cargo/bin:$PATH"
if ! command -v cargo >/dev/null; then
  echo "==> Rust is missing: installing rustup and the toolchain pinned in rust-toolchain.toml"
  curl --proto '=https' --tlsv1.2 -sSf https://sh.rustup.rs | sh -s -- -y --profile minimal --default-toolchain none
  . "$HOME/.cargo/env"
fi

# An empty version means any version on PATH will do.
cargo_tool() {
  local bin=$1 crate=$2 version=$3
  if [ -z "$version" ]; then
    command -v "$bin" >/dev/null && return 0
  else
    cargo install --list | grep -q "^$crate v$version:" && return 0
  fi
  echo "==> cargo install $crate${version:+@$version}"
  cargo install "$crate" ${version:+--version "$version"} --locked --quiet
}
cargo_tool cargo-nextest cargo-nextest ""
cargo_tool tauri-driver tauri-driver "2.1.0"
cargo_tool cargo-deny cargo-deny "0.20.2"
echo "==> dependencies ready"
