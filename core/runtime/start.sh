#!/bin/sh
# Sandbox entry for one agent turn: the gateway forwarder, the agent code and its setup (once
# per session), then the agent. What fails here is written to $OUT/start.json for the host to
# read after the exec; the exit status says which (3: code not unpacked, 4: setup failed).
OUT=/tmp/.gauntlet/out
mkdir -p "$OUT" && chmod 700 /tmp/.gauntlet "$OUT"
start_report() { # status exit_code logfile
  python3 -c 'import json,sys; print(json.dumps({"status":sys.argv[1],"exit_code":int(sys.argv[2]),"log":open(sys.argv[3],errors="replace").read()[-4000:]}))' "$1" "$2" "$3" >"$OUT/start.json"
}
# The forwarder turns 127.0.0.1:$GAUNTLET_PROXY_PORT into the bind-mounted gateway socket. A
# later turn finds it listening (this bind then fails, harmlessly) or restarts it after the
# agent's processes were stopped between turns.
socat TCP-LISTEN:"$GAUNTLET_PROXY_PORT",bind=127.0.0.1,fork,reuseaddr UNIX-CONNECT:/gauntlet/run/gw.sock </dev/null >/dev/null 2>>/tmp/.gauntlet-forwarder.log &
if [ -n "$GAUNTLET_AGENT_CODE" ] && [ ! -e /tmp/.gauntlet/code-unpacked ]; then
  tar -x -f "$GAUNTLET_AGENT_CODE" -C /home/user/agent --no-same-owner --no-same-permissions >/tmp/.gauntlet-code.log 2>&1 || { start_report code_copy_failed 3 /tmp/.gauntlet-code.log; exit 3; }
  : >/tmp/.gauntlet/code-unpacked
fi
if [ -n "$GAUNTLET_SETUP_COMMAND" ] && [ ! -e /tmp/.gauntlet/setup-done ]; then
  sh -c "$GAUNTLET_SETUP_COMMAND" >/tmp/.gauntlet-setup.log 2>&1 || { code=$?; start_report setup_failed "$code" /tmp/.gauntlet-setup.log; exit 4; }
  : >/tmp/.gauntlet/setup-done
fi
exec "$@"
