#!/bin/sh
# Workspace phases of a coding run, each its own exec:
#   seed      (user)  untar the seed into the workspace; platform-mode setup runs here
#   baseline  (root)  commit the baseline into a git dir the agent cannot write
#   eval      (user)  stop the agent's leftovers, then diff the workspace against the baseline
# The baseline repository lives in /var/lib/gauntlet/git, owned by root: whatever the agent does
# to a .git in the workspace (hooks, fsmonitor, filters), git here never reads it.
WS=/home/user/workspace
GITDIR=/var/lib/gauntlet/git
MARK='@@GAUNTLET_RESULT@@'
safe_git() {
  GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1 git -c safe.directory='*' -c core.hooksPath=/dev/null -c core.fsmonitor=false \
    -c core.autocrlf=false -c core.quotePath=false --git-dir="$GITDIR" --work-tree="$WS" "$@"
}
json_fail() { # status exit_code logfile
  printf '\n%s' "$MARK"
  python3 -c 'import json,sys; print(json.dumps({"status":sys.argv[1],"exit_code":int(sys.argv[2]),"log":open(sys.argv[3],errors="replace").read()[-4000:]}).replace("@", "\\u0040"))' "$1" "$2" "$3"
}
case "$1" in
seed)
  chmod 755 /home/user && mkdir -p "$WS" && tar -x -f /gauntlet/workspace/code.tar -C "$WS" --no-same-owner >/tmp/.gauntlet-seed.log 2>&1 || { json_fail seed_failed $? /tmp/.gauntlet-seed.log; exit 3; }
  if [ -n "$GAUNTLET_PLATFORM_SETUP" ]; then
    cd "$WS" && timeout -k 5 "${GAUNTLET_SETUP_TIMEOUT:-600}" sh -c "$GAUNTLET_PLATFORM_SETUP" >/tmp/.gauntlet-setup.log 2>&1 || { json_fail setup_failed $? /tmp/.gauntlet-setup.log; exit 4; }
  fi
  printf '\n%s{"status":"ok"}\n' "$MARK"
  ;;
baseline)
  mkdir -p "$GITDIR" && git init -q --bare "$GITDIR" >/tmp/.gauntlet-baseline.log 2>&1 || { json_fail baseline_failed 1 /tmp/.gauntlet-baseline.log; exit 5; }
  chmod -R go-w "$GITDIR"
  { safe_git add -A && safe_git -c user.name=gauntlet -c user.email=gauntlet@localhost commit -q --allow-empty --no-verify -m baseline; } >>/tmp/.gauntlet-baseline.log 2>&1 \
    || { json_fail baseline_failed 1 /tmp/.gauntlet-baseline.log; exit 5; }
  printf '\n%s{"status":"ok","baseline":"%s"}\n' "$MARK" "$(safe_git rev-parse HEAD)"
  ;;
eval)
  kill -9 -1 2>/dev/null # every process of the agent's user except this one
  chmod -R u+rX "$WS" 2>/dev/null # a file the agent made unreadable still belongs in the diff
  tmp=$(mktemp -d)
  mkdir "$tmp/objects"
  export GIT_INDEX_FILE="$tmp/index" GIT_OBJECT_DIRECTORY="$tmp/objects" GIT_ALTERNATE_OBJECT_DIRECTORIES="$GITDIR/objects"
  { safe_git read-tree HEAD && safe_git add -A; } >"$tmp/log" 2>&1 || { json_fail eval_failed 1 "$tmp/log"; exit 6; }
  # Framed by the host's boundary, drawn after the agent's processes were killed: paths are
  # NUL-separated and names or contents cannot fake a frame.
  B="$GAUNTLET_BOUNDARY"
  printf '\n@@GAUNTLET_PATHS_%s@@\n' "$B"
  safe_git diff --cached --name-only -z HEAD
  printf '\n@@GAUNTLET_DIFF_%s@@\n' "$B"
  safe_git diff --cached --binary --no-color --no-ext-diff HEAD | head -c "${GAUNTLET_DIFF_MAX:-1048576}"
  printf '\n@@GAUNTLET_END_%s@@{"status":"ok","diff_bytes":%s}\n' "$B" "$(safe_git diff --cached --binary --no-ext-diff HEAD | wc -c)"
  ;;
esac
