# Sourced by the scripts that install Debian packages. apt_get waits for the package manager's locks
# (dpkg's, and the package lists' during 'update') instead of failing when another apt-get holds them.
APT_LOCK_TIMEOUT_SECONDS="${APT_LOCK_TIMEOUT_SECONDS:-600}"

apt_get() {
  local sudo_cmd=""
  [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
  local deadline=$((SECONDS + APT_LOCK_TIMEOUT_SECONDS))
  while true; do
    # DPkg::Lock::Timeout makes apt wait for dpkg's lock; the lists lock of 'update' is retried below.
    if DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get -o DPkg::Lock::Timeout="$APT_LOCK_TIMEOUT_SECONDS" "$@"; then
      return 0
    fi
    local rc=$?
    if [ $SECONDS -ge $deadline ] || ! apt_lock_held; then
      return $rc
    fi
    echo "apt-get: another package manager holds the lock; waiting..." >&2
    sleep 5
  done
}

# True while some process holds one of apt's or dpkg's lock files.
apt_lock_held() {
  local f
  for f in /var/lib/dpkg/lock-frontend /var/lib/dpkg/lock /var/lib/apt/lists/lock /var/cache/apt/archives/lock; do
    [ -e "$f" ] || continue
    if command -v fuser >/dev/null 2>&1; then
      fuser "$f" >/dev/null 2>&1 && return 0
    elif python3 - "$f" 2>/dev/null <<'PY'
import fcntl, sys
with open(sys.argv[1], "a") as fh:
    try:
        fcntl.lockf(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        sys.exit(0)
sys.exit(1)
PY
    then
      return 0
    fi
  done
  return 1
}
