#!/usr/bin/env bash
# Check: installs wait for the package manager's lock instead of failing. Holds dpkg's frontend lock the way
# another apt-get does (a POSIX record lock) for a few seconds, and runs an install through scripts/lib/apt.sh:
# it must wait and succeed. Before apt_get existed, the same install failed within 2 s. Needs root (as CI runs).
set -uo pipefail
cd "$(dirname "$0")/../.."
source scripts/lib/apt.sh
if [ "$(id -u)" -ne 0 ]; then echo "apt-lock-wait: skipped (needs root)"; exit 0; fi

hold_seconds=6
python3 - "$hold_seconds" <<'PY' &
import fcntl, sys, time
with open("/var/lib/dpkg/lock-frontend", "a") as fh:
    fcntl.lockf(fh, fcntl.LOCK_EX)
    open("/tmp/apt-lock-held", "w").close()
    time.sleep(float(sys.argv[1]))
PY
holder=$!
rm -f /tmp/apt-lock-held
for _ in $(seq 1 50); do [ -e /tmp/apt-lock-held ] && break; sleep 0.1; done
started=$SECONDS
# Reinstalling nothing: 'install' of a package that is already installed still takes the lock.
if ! apt_get install -y -qq --no-install-recommends curl >/dev/null 2>&1; then
  kill "$holder" 2>/dev/null; echo "apt-lock-wait: FAILED (apt-get did not wait for the lock)"; exit 1
fi
waited=$((SECONDS - started))
wait "$holder" 2>/dev/null
rm -f /tmp/apt-lock-held
if [ "$waited" -lt $((hold_seconds - 2)) ]; then
  echo "apt-lock-wait: FAILED (the install finished after ${waited}s while the lock was held for ${hold_seconds}s)"; exit 1
fi
echo "apt-lock-wait: ok (waited ${waited}s for a held lock, then installed)"
