#!/bin/sh
# Workspace phases of a coding session, each its own exec; each writes what it found as files
# in $OUT (root-owned, out of the agent's reach) for the host to read after the exec:
#   seed      (user)  untar the seed into the workspace; platform-mode setup runs here
#   baseline  (root)  commit the baseline into a git dir the agent cannot write
#   stop      (user)  stop every process of the agent's user; make the workspace readable
#   snapshot  (root)  commit the workspace as turn N; write that turn's diff (against turn N-1)
#                     and the cumulative diff (against the baseline), each capped, with sizes
The repository lives in /var/lib/gauntlet/git, owned by root:
# whatever the agent does to a .git in the workspace (hooks, fsmonitor, filters), git here
# never reads it.
WS=/home/user/workspace
GITDIR=/var/lib/gauntlet/git
safe_git() {
  GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1 git -c safe.directory='*' -c core.hooksPath=/dev/null -c core.fsmonitor=false \
    -c core.autocrlf=false -c core.quotePath=false --git-dir="$GITDIR" --work-tree="$WS" "$@"
}
status() { # status exit_code logfile -> $OUT/$PHASE.json
  python3 -c 'import json,sys; print(json.dumps({"status":sys.argv[1],"exit_code":int(sys.argv[2]),"log":open(sys.argv[3],errors="replace").read()[-4000:]}))' "$1" "$2" "$3" >"$OUT/$PHASE.json"
}
PHASE="$1"
case "$PHASE" in
seed)
  OUT=/tmp/.gauntlet/ws && mkdir -p "$OUT" && chmod 700 /tmp/.gauntlet "$OUT"
  chmod 755 /home/user && mkdir -p "$WS" && tar -x -f /gauntlet/workspace/code.tar -C "$WS" --no-same-owner >/tmp/.gauntlet-seed.log 2>&1 || { status seed_failed $? /tmp/.gauntlet-seed.log; exit 3; }
  if [ -n "$GAUNTLET_PLATFORM_SETUP" ]; then
    cd "$WS" && timeout -k 5 "${GAUNTLET_SETUP_TIMEOUT:-600}" sh -c "$GAUNTLET_PLATFORM_SETUP" >/tmp/.gauntlet-setup.log 2>&1 || { status setup_failed $? /tmp/.gauntlet-setup.log; exit 4; }
  fi
  # Readable by all: the snapshots run as root without CAP_DAC_OVERRIDE.
  chmod -R a+rX "$WS" 2>/dev/null
  status ok 0 /dev/null
  ;;
stop)
  kill -9 -1 2>/dev/null # every process of the agent's user except this one
  chmod -R a+rX "$WS" 2>/dev/null # a file the agent made unreadable still belongs in the diff
  exit 0
  ;;
baseline)
  OUT=/var/lib/gauntlet/out && mkdir -p "$OUT" && chmod 700 "$OUT"
  log="$OUT/baseline.log"
  mkdir -p "$GITDIR" && git init -q --bare "$GITDIR" >"$log" 2>&1 || { status baseline_failed 1 "$log"; exit 5; }
  chmod -R go-w "$GITDIR"
  { safe_git add -A && safe_git -c user.name=gauntlet -c user.email=gauntlet@localhost commit -q --allow-empty --no-verify -m baseline && safe_git tag baseline; } >>"$log" 2>&1 \
    || { status baseline_failed 1 "$log"; exit 5; }
  status ok 0 /dev/null
  ;;
snapshot)
  N="$2"
  OUT=/var/lib/gauntlet/out && T="$OUT/turn-$N"
  log="$T.log"
  PHASE="turn-$N"
  { safe_git add -A && safe_git -c user.name=gauntlet -c user.email=gauntlet@localhost commit -q --allow-empty --no-verify -m "turn $N"; } >"$log" 2>&1 || { status snapshot_failed 1 "$log"; exit 6; }
  MAX="${GAUNTLET_DIFF_MAX:-1048576}"
  safe_git diff --name-only -z HEAD~1 HEAD >"$T.paths"
  safe_git diff --binary --no-color --no-ext-diff HEAD~1 HEAD | head -c "$MAX" >"$T.diff"
  safe_git diff --name-only -z baseline HEAD >"$OUT/cumulative.paths"
  safe_git diff --binary --no-color --no-ext-diff baseline HEAD | head -c "$MAX" >"$OUT/cumulative.diff"
  printf '{"status":"ok","diff_bytes":%s,"cumulative_bytes":%s}\n' \
    "$(safe_git diff --binary --no-ext-diff HEAD~1 HEAD | wc -c)" \
    "$(safe_git diff --binary --no-ext-diff baseline HEAD | wc -c)" >"$T.json"
  ;;
esac
