#!/usr/bin/env bash
# Runs a command inside a fresh, throwaway desktop keyring, so tests use the
# real OS keyring backend (Secret Service, as GNOME Keyring provides it) on a
# headless machine or in CI:
#
#   scripts/with-keyring.sh cargo nextest run --workspace
#
# It gives the command its own temporary HOME and XDG folders (so no real
# keyring or user file is touched), a private D-Bus session bus, and an
# unlocked GNOME Keyring holding only what the command stores. Everything is
# removed afterwards. CARGO_HOME and RUSTUP_HOME keep pointing at the real
# ones, so cargo and the pinned toolchain still work. The command's exit code
# is this script's exit code.
#
# Needs the apt packages dbus, dbus-user-session and gnome-keyring
# (scripts/install-deps.sh installs them).
set -euo pipefail

if [ "$#" -eq 0 ]; then
  echo "usage: scripts/with-keyring.sh COMMAND [ARGS...]" >&2
  exit 2
fi
for tool in dbus-run-session dbus-send gnome-keyring-daemon; do
  if ! command -v "$tool" >/dev/null; then
    echo "error: $tool is missing; run scripts/install-deps.sh (it installs dbus and gnome-keyring)." >&2
    exit 1
  fi
done

real_home=${HOME:-/root}
export CARGO_HOME=${CARGO_HOME:-$real_home/.cargo}
export RUSTUP_HOME=${RUSTUP_HOME:-$real_home/.rustup}
export PATH="$CARGO_HOME/bin:$PATH"

scratch=$(mktemp -d "${TMPDIR:-/tmp}/doorstep-keyring.XXXXXX")
cleanup() { rm -rf "$scratch"; }
trap cleanup EXIT

mkdir -p "$scratch/home" "$scratch/config" "$scratch/data" "$scratch/cache" "$scratch/run"
chmod 700 "$scratch/run"
export HOME="$scratch/home"
export XDG_CONFIG_HOME="$scratch/config"
export XDG_DATA_HOME="$scratch/data"
export XDG_CACHE_HOME="$scratch/cache"
export XDG_RUNTIME_DIR="$scratch/run"
unset DBUS_SESSION_BUS_ADDRESS GNOME_KEYRING_CONTROL

# Inside the private session bus: start the keyring daemon in the foreground
# (so this script knows its process id and stops exactly that process), unlock
# a new login keyring with a throwaway password, wait until it answers on the
# bus, then run the command.
inner='
set -u
printf %s "doorstep-test-keyring" | gnome-keyring-daemon --foreground --unlock --components=secrets >/dev/null 2>"$XDG_RUNTIME_DIR/keyring.log" &
keyring_pid=$!
ready=no
for _ in $(seq 1 100); do
  if dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \
       org.freedesktop.DBus.NameHasOwner string:org.freedesktop.secrets 2>/dev/null | grep -q "boolean true"; then
    ready=yes
    break
  fi
  sleep 0.05
done
if [ "$ready" != yes ]; then
  echo "error: GNOME Keyring did not start on the test session bus:" >&2
  cat "$XDG_RUNTIME_DIR/keyring.log" >&2
  kill "$keyring_pid" 2>/dev/null
  exit 1
fi
status=0
"$@" || status=$?
kill "$keyring_pid" 2>/dev/null
wait "$keyring_pid" 2>/dev/null
exit "$status"
'
status=0
dbus-run-session -- bash -c "$inner" with-keyring "$@" || status=$?
exit "$status"
