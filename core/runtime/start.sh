#!/bin/sh
# Sandbox entry for one agent run: the gateway forwarder, the agent code, then the agent.
# The forwarder turns 127.0.0.1:$GAUNTLET_PROXY_PORT into the bind-mounted gateway socket.
socat TCP-LISTEN:"$GAUNTLET_PROXY_PORT",bind=127.0.0.1,fork,reuseaddr UNIX-CONNECT:/gauntlet/run/gw.sock </dev/null >/dev/null 2>/tmp/.gauntlet-forwarder.log &
if [ -n "$GAUNTLET_AGENT_CODE" ]; then
  tar -x -f "$GAUNTLET_AGENT_CODE" -C /home/user/agent --no-same-owner --no-same-permissions || { echo "@@GAUNTLET_RESULT@@{\"status\":\"code_copy_failed\"}"; exit 3; }
fi
if [ -n "$GAUNTLET_SETUP_COMMAND" ]; then
  sh -c "$GAUNTLET_SETUP_COMMAND" >/tmp/.gauntlet-setup.log 2>&1 || {
    code=$?
    printf '\n@@GAUNTLET_RESULT@@'
    python3 -c 'import json,sys; print(json.dumps({"status":"setup_failed","exit_code":int(sys.argv[1]),"log":open("/tmp/.gauntlet-setup.log",errors="replace").read()[-4000:]}).replace("@", "\\u0040"))' "$code"
    exit 4
  }
fi
exec "$@"
