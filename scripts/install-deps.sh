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
  # Package inspection in the packaging test
  rpm dpkg-dev
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

echo "==> npm: installing UI packages (ui/package-lock.json)"
(cd ui && npm ci --no-audit --no-fund --loglevel=error)

cargo_tool() {
  local bin=$1 crate=$2 version=$3
  if ! command -v "$bin" >/dev/null || ! "$bin" --version 2>/dev/null | grep -q "$version"; then
    echo "==> cargo install $crate@$version"
    cargo install "$crate" --version "$version" --locked --quiet
  fi
}
cargo_tool tauri-driver tauri-driver "2.1.0"
cargo_tool cargo-deny cargo-deny "0.20.2"
echo "==> dependencies ready"
