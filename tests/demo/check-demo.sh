#!/usr/bin/env bash
# A newcomer runs the README's first command (scripts/demo.sh). This checks
# what they would see: a running server and a Doorstep window that is not blank.
# Runs the demo on its own virtual display, port and data folder.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
out=$root/test-output/demo
mkdir -p "$out"
work=$(mktemp -d)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')

export DOORSTEP_DEMO_PORT=$port DOORSTEP_DEMO_DIR=$work
xvfb-run --auto-servernum --server-args="-screen 0 1280x900x24" bash -c '
  set -euo pipefail
  setsid scripts/demo.sh >"'"$out"'/demo.out" 2>&1 &
  demo=$!
  stop() { kill -TERM -- -"$demo" 2>/dev/null || true; wait "$demo" 2>/dev/null || true; }
  trap stop EXIT
  for _ in $(seq 1 1200); do
    if xwininfo -root -tree 2>/dev/null | grep -q "\"Doorstep\""; then break; fi
    if ! kill -0 "$demo" 2>/dev/null; then cat "'"$out"'/demo.out"; echo "not ok: the demo exited before its window opened"; exit 1; fi
    sleep 0.5
  done
  xwininfo -root -tree | grep -q "\"Doorstep\"" || { echo "not ok: no Doorstep window within 10 minutes"; exit 1; }
  curl -fsS "http://127.0.0.1:'"$port"'/healthz" >/dev/null || { echo "not ok: the server is not answering"; exit 1; }
  # A living system: the demo caseworker signs in and sees her invented cases.
  token=$(curl -fsS -H "Content-Type: application/json" \
    -d "{\"user\":\"amy.caseworker\",\"password\":\"demo-amy-password\",\"device\":{\"hostname\":\"demo-check\",\"os\":\"Debian\",\"app_version\":\"0.1.0\"}}" \
    "http://127.0.0.1:'"$port"'/v1/session" | python3 -c "import json,sys; print(json.load(sys.stdin)[\"access_token\"])") \
    || { echo "not ok: the demo caseworker could not sign in"; exit 1; }
  cases=$(curl -fsS -H "Authorization: Bearer $token" "http://127.0.0.1:'"$port"'/v1/cases?limit=1000" \
    | python3 -c "import json,sys; print(len(json.load(sys.stdin)[\"cases\"]))")
  [ "$cases" -ge 10 ] || { echo "not ok: the demo caseworker sees only $cases cases"; exit 1; }
  echo "ok: amy.caseworker signed in to the demo server and sees $cases cases"
  sleep 3   # let WebKit paint the first page
  import -window root "'"$out"'/window.png"
'
colours=$(/usr/bin/convert "$out/window.png" -format '%k' info:)
rm -rf "$work"
if [ "$colours" -lt 16 ]; then
  echo "not ok: the screenshot has only $colours colours: the window is blank ($out/window.png)"
  echo "0 passed, 1 failed"
  exit 1
fi
echo "ok: a Doorstep window opened on a running server; screenshot has $colours colours ($out/window.png)"
echo "1 passed, 0 failed"
