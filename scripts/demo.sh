#!/usr/bin/env bash
# Installs what Doorstep needs, builds it, starts a local doorstep-server on
# loopback and opens the desktop app pointed at it. Closing the app stops the server.
#
# Settings (all optional):
#   DOORSTEP_DEMO_PORT  server port on 127.0.0.1          (default 8787)
#   DOORSTEP_DEMO_DIR   where the server and device data go (default ~/.local/share/doorstep-demo)
#   DOORSTEP_COUNCIL_NAME / DOORSTEP_COUNCIL_COLOUR  branding shown in the app
# Without a display (a server or CI), the app opens on a virtual Xvfb display.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
target_dir=${CARGO_TARGET_DIR:-$PWD/target}
port=${DOORSTEP_DEMO_PORT:-8787}
demo_dir=${DOORSTEP_DEMO_DIR:-${XDG_DATA_HOME:-$HOME/.local/share}/doorstep-demo}
server_url="http://127.0.0.1:$port"

scripts/install-deps.sh

echo "==> Building doorstep-server, doorstep and the desktop app (first time: several minutes)"
# The same cargo arguments as scripts/test.sh, so the two share one build.
ui/node_modules/.bin/tauri build --debug --no-bundle --ci -- --workspace --all-targets --locked

pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup EXIT INT TERM

mkdir -p "$demo_dir/server" "$demo_dir/device"
server="$target_dir/debug/doorstep-server"
if "$server" --help | grep -q '^  demo'; then
  echo "==> Seeding demo data"
  "$server" demo --data-dir "$demo_dir/server"
fi
echo "==> Starting doorstep-server on $server_url (data in $demo_dir/server)"
"$server" serve --listen "127.0.0.1:$port" --data-dir "$demo_dir/server" >"$demo_dir/server.out" 2>"$demo_dir/server.log" &
pids+=($!)
for _ in $(seq 1 100); do
  curl -fsS "$server_url/readyz" >/dev/null 2>&1 && break
  kill -0 "${pids[0]}" 2>/dev/null || { cat "$demo_dir/server.log" >&2; echo "error: the server did not start (log above)" >&2; exit 1; }
  sleep 0.1
done
curl -fsS "$server_url/readyz" >/dev/null || { echo "error: the server is not ready at $server_url" >&2; exit 1; }

if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
  display=:$((90 + RANDOM % 9))
  echo "==> No display found: starting a virtual one (Xvfb $display)."
  echo "    Screenshot it with: DISPLAY=$display import -window root doorstep.png"
  Xvfb "$display" -screen 0 1280x900x24 -nolisten tcp >/dev/null 2>&1 &
  pids+=($!)
  export DISPLAY=$display
  sleep 1
fi

echo "==> Opening Doorstep (device data in $demo_dir/device). Close the window to stop."
DOORSTEP_SERVER_URL=$server_url DOORSTEP_DATA_DIR="$demo_dir/device" \
  "$target_dir/debug/doorstep-app"
