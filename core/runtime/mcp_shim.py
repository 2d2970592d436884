"""The gauntlet MCP server: a run's platform tools for a coding CLI, over stdio.

The CLI (Claude Code, Codex, Gemini CLI, Cursor) starts this as its MCP server `gauntlet`;
`tools/list` and `tools/call` are forwarded to the run's gateway through the in-sandbox
forwarder (GAUNTLET_PROXY_URL, GAUNTLET_RUN_TOKEN; the seeds' PIPELINES_* names also work):

  GET  $PROXY/tools          -> {"tools": [{"name", "description", "input_schema"}]}
  POST $PROXY/tools/{name}   JSON arguments -> the tool's response JSON, or {"error": {...}}

Transport (MCP stdio): one JSON-RPC 2.0 message per line on stdin and stdout, UTF-8, no
embedded newlines. Stdout carries the protocol and nothing else (print() goes to stderr);
logs go to stderr, which the CLI keeps in its own logs. Python 3 standard library only: it
runs in every sandbox image.

What reaches it is treated as hostile: a line is bounded (an overlong one is drained and
answered with a parse error), invalid JSON and invalid requests get their JSON-RPC errors,
unknown methods get method-not-found, notifications are never answered, and a gateway that is
down or answers an error becomes a tool result with isError, never a crash.

`mcp_shim.py --register FILE ENTRY` instead merges this server's entry into a CLI's JSON
settings file (Gemini CLI's ~/.gemini/settings.json, Cursor's ~/.cursor/mcp.json) as
mcpServers.gauntlet, with the gateway's URL and token from this process's environment written
in: those CLIs filter or may filter the environment their MCP servers get.

The caller's actor id (multi-agent attribution) is the request's `_meta["gauntlet/actor_id"]`,
else $GAUNTLET_ACTOR_ID, and travels in the `x-gauntlet-actor` header. (Claude Code 2.1 sends
a stdio server only `claudecode/toolUseId`, for its sub-agents too; Codex 0.169 its thread
metadata: neither names an actor.) $GAUNTLET_MCP_CONNECT_WAIT and $GAUNTLET_MCP_TOOL_TIMEOUT
(seconds) bound the wait for the forwarder and one gateway request.
"""
import http.client
import json
import os
import random
import re
import sys
import threading
import time
from urllib.parse import urlsplit

SERVER_INFO = {"name": "gauntlet", "version": "1.0.0"}
# Newest first: a client asking for one of these gets it back, anything else gets the newest.
PROTOCOL_VERSIONS = ("2025-11-25", "2025-06-18", "2025-03-26", "2024-11-05")
# structuredContent is part of tool results from this revision on.
STRUCTURED_SINCE = "2025-06-18"
MAX_LINE = 8 * 1024 * 1024
MAX_RESPONSE = 16 * 1024 * 1024
MAX_IN_FLIGHT = 16
TOOL_NAME = re.compile(r"[A-Za-z0-9_-]{1,64}")
ACTOR_META_KEY = "gauntlet/actor_id"
# An actor_id path as a header value: printable ASCII, no spaces, bounded as the gateway keeps it.
ACTOR = re.compile(r"[\x21-\x7e]{1,256}")
# 503 lock_contention: the run's tool lock was busy; the call was not executed, so it is retried.
CONTENTION_RETRIES = 4
BACKOFF_S = 0.2
BACKOFF_MAX_S = 2.0


def seconds(name, default):
    try:
        value = float(os.environ.get(name) or default)
        return value if 0 < value <= 3600 else default
    except ValueError:
        return default


# The forwarder starts next to the CLI; a refused connection (nothing was sent) is retried.
CONNECT_WAIT_S = seconds("GAUNTLET_MCP_CONNECT_WAIT", 10.0)
TOOL_TIMEOUT_S = seconds("GAUNTLET_MCP_TOOL_TIMEOUT", 600.0)

PARSE_ERROR = -32700
INVALID_REQUEST = -32600
METHOD_NOT_FOUND = -32601
INVALID_PARAMS = -32602
INTERNAL_ERROR = -32603

OUT = sys.stdout.buffer
# Anything that prints by mistake must not corrupt the protocol stream.
sys.stdout = sys.stderr
write_lock = threading.Lock()
in_flight = threading.BoundedSemaphore(MAX_IN_FLIGHT)
# Ids of requests being worked on, and those of them the client cancelled (bounded by in_flight).
pending = set()
cancelled = set()
cancelled_lock = threading.Lock()
state = {"protocol": PROTOCOL_VERSIONS[0]}


def log(msg):
    try:
        sys.stderr.write("gauntlet-mcp: %s\n" % msg)
        sys.stderr.flush()
    except Exception:
        pass


def send(message):
    # ensure_ascii: no raw newline or lone surrogate can reach the stream.
    data = json.dumps(message, ensure_ascii=True, separators=(",", ":")).encode("ascii") + b"\n"
    with write_lock:
        OUT.write(data)
        OUT.flush()


class RpcError(Exception):
    def __init__(self, code, message):
        Exception.__init__(self, message)
        self.code = code
        self.message = message


class GatewayError(Exception):
    """The gateway could not be reached or did not answer usably; the message says why."""


def config():
    url = os.environ.get("GAUNTLET_PROXY_URL") or os.environ.get("PIPELINES_ODYSSEY_PROXY_URL")
    token = os.environ.get("GAUNTLET_RUN_TOKEN") or os.environ.get("PIPELINES_RUN_TOKEN")
    if not url or not token:
        raise GatewayError("GAUNTLET_PROXY_URL and GAUNTLET_RUN_TOKEN must be set in the MCP server's environment")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise GatewayError("GAUNTLET_PROXY_URL is not an http(s) URL")
    return parts, token


def gateway(method, path, body=None, actor=None, timeout=TOOL_TIMEOUT_S):
    """One request to the gateway: (status, body bytes). A refused connection is retried."""
    parts, token = config()
    headers = {"authorization": "Bearer " + token, "accept": "application/json"}
    if body is not None:
        headers["content-type"] = "application/json"
    if actor:
        headers["x-gauntlet-actor"] = actor
    conn_class = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
    deadline = time.monotonic() + CONNECT_WAIT_S
    while True:
        conn = conn_class(parts.hostname, parts.port, timeout=timeout)
        try:
            try:
                conn.connect()
            except ConnectionRefusedError:
                if time.monotonic() >= deadline:
                    raise
                time.sleep(0.05)
                continue
            conn.request(method, parts.path.rstrip("/") + path, body=body, headers=headers)
            res = conn.getresponse()
            data = res.read(MAX_RESPONSE + 1)
            if len(data) > MAX_RESPONSE:
                raise GatewayError("the gateway's answer is over %d bytes" % MAX_RESPONSE)
            return res.status, data
        except GatewayError:
            raise
        except Exception as e:
            raise GatewayError("the gauntlet gateway at %s is unreachable (%s: %s)" % (
                parts.scheme + "://" + parts.netloc, type(e).__name__, e))
        finally:
            conn.close()


def error_of(status, data):
    """The gateway's {"error": {"type", "message"}} as (type, text), else a generic one."""
    try:
        err = json.loads(data).get("error")
        if isinstance(err, dict):
            kind = str(err.get("type") or "error")
            return kind, "%s: %s" % (kind, str(err.get("message") or "HTTP %d" % status))
    except Exception:
        pass
    snippet = data[:500].decode("utf-8", "replace")
    return "http_%d" % status, "HTTP %d from the gateway%s" % (status, (": " + snippet) if snippet else "")


def initialize(params):
    asked = params.get("protocolVersion")
    version = asked if asked in PROTOCOL_VERSIONS else PROTOCOL_VERSIONS[0]
    state["protocol"] = version
    return {
        "protocolVersion": version,
        "capabilities": {"tools": {"listChanged": False}},
        "serverInfo": SERVER_INFO,
    }


def ping(params):
    return {}


def tools_list(params):
    try:
        status, data = gateway("GET", "/tools", timeout=60)
    except GatewayError as e:
        raise RpcError(INTERNAL_ERROR, str(e))
    if status != 200:
        raise RpcError(INTERNAL_ERROR, "tools/list: " + error_of(status, data)[1])
    try:
        listed = json.loads(data).get("tools")
    except Exception:
        listed = None
    if not isinstance(listed, list):
        raise RpcError(INTERNAL_ERROR, "tools/list: the gateway's catalogue is not {\"tools\": [...]}")
    tools = []
    for t in listed:
        name = t.get("name") if isinstance(t, dict) else None
        if not isinstance(name, str) or not TOOL_NAME.fullmatch(name):
            log("a catalogue entry without a valid tool name was left out")
            continue
        schema = t.get("input_schema")
        tool = {"name": name, "inputSchema": schema if isinstance(schema, dict) else {"type": "object"}}
        if isinstance(t.get("description"), str):
            tool["description"] = t["description"]
        tools.append(tool)
    return {"tools": tools}


def actor_of(params):
    meta = params.get("_meta")
    actor = meta.get(ACTOR_META_KEY) if isinstance(meta, dict) else None
    if actor is None:
        actor = os.environ.get("GAUNTLET_ACTOR_ID") or None
    if actor is not None and not (isinstance(actor, str) and ACTOR.fullmatch(actor)):
        log("the actor id is not a printable header value; the call goes without one")
        return None
    return actor


def tool_error(text):
    return {"content": [{"type": "text", "text": text}], "isError": True}


def tools_call(params):
    name = params.get("name")
    args = params.get("arguments")
    if not isinstance(name, str):
        raise RpcError(INVALID_PARAMS, "tools/call needs a tool name")
    if not TOOL_NAME.fullmatch(name):
        raise RpcError(INVALID_PARAMS, "unknown tool: names are 1-64 of A-Z a-z 0-9 _ -")
    if args is None:
        args = {}
    if not isinstance(args, dict):
        raise RpcError(INVALID_PARAMS, "tools/call arguments must be an object")
    body = json.dumps(args, ensure_ascii=True).encode("ascii")
    actor = actor_of(params)
    for attempt in range(CONTENTION_RETRIES + 1):
        try:
            status, data = gateway("POST", "/tools/" + name, body=body, actor=actor)
        except GatewayError as e:
            return tool_error(str(e))
        if status == 200:
            return success(data)
        kind, text = error_of(status, data)
        if status != 503 or kind != "lock_contention" or attempt == CONTENTION_RETRIES:
            return tool_error(text)
        delay = min(BACKOFF_MAX_S, BACKOFF_S * (2 ** attempt)) * random.uniform(0.5, 1.5)
        log("%s: lock_contention, retrying in %.2f s" % (name, delay))
        time.sleep(delay)


def success(data):
    try:
        value = json.loads(data)
    except Exception:
        return {"content": [{"type": "text", "text": data.decode("utf-8", "replace")}]}
    result = {"content": [{"type": "text", "text": json.dumps(value, ensure_ascii=False)}]}
    if isinstance(value, dict) and state["protocol"] >= STRUCTURED_SINCE:
        result["structuredContent"] = value
    return result


METHODS = {"initialize": initialize, "ping": ping, "tools/list": tools_list, "tools/call": tools_call}
# Calls that wait on the gateway run on their own thread, so pings and cancellations still flow.
THREADED = {"tools/list", "tools/call"}


def on_cancelled(params):
    rid = params.get("requestId")
    if valid_id(rid):
        with cancelled_lock:
            if rid in pending:
                cancelled.add(rid)


NOTIFICATIONS = {"notifications/cancelled": on_cancelled}


def valid_id(rid):
    return isinstance(rid, str) or (isinstance(rid, int) and not isinstance(rid, bool))


def error_response(rid, code, message):
    return {"jsonrpc": "2.0", "id": rid, "error": {"code": code, "message": message}}


def answer(message):
    """The response to one message, or None (notifications, and the client's own responses)."""
    if not isinstance(message, dict):
        return error_response(None, INVALID_REQUEST, "a message must be a JSON object")
    method = message.get("method")
    params = message.get("params", {})
    if "method" not in message and ("result" in message or "error" in message):
        return None  # a response: this server sends no requests, so it answers none
    if "id" not in message:
        if isinstance(method, str) and method in NOTIFICATIONS and isinstance(params, dict):
            NOTIFICATIONS[method](params)
        return None  # a notification: never answered
    rid = message.get("id")
    if message.get("jsonrpc") != "2.0" or not isinstance(method, str) or not valid_id(rid):
        return error_response(rid if valid_id(rid) else None, INVALID_REQUEST, "not a JSON-RPC 2.0 request")
    handler = METHODS.get(method)
    if handler is None:
        return error_response(rid, METHOD_NOT_FOUND, "method not found: %s" % method[:100])
    if params is None:
        params = {}
    if not isinstance(params, dict):
        return error_response(rid, INVALID_PARAMS, "params must be an object")
    try:
        return {"jsonrpc": "2.0", "id": rid, "result": handler(params)}
    except RpcError as e:
        return error_response(rid, e.code, e.message)
    except Exception as e:  # a bug here must not take the server down
        log("%s failed: %s: %s" % (method, type(e).__name__, e))
        return error_response(rid, INTERNAL_ERROR, "internal error in the gauntlet MCP server")


def deliver(message):
    rid = message.get("id") if isinstance(message, dict) else None
    tracked = valid_id(rid)
    if tracked:
        with cancelled_lock:
            tracked = rid not in pending  # a duplicate id in flight is not tracked twice
            pending.add(rid)
    try:
        response = answer(message)
    finally:
        if tracked:
            with cancelled_lock:
                pending.discard(rid)
                dropped = rid in cancelled
                cancelled.discard(rid)
        else:
            dropped = False
    if response is not None and not dropped:
        send(response)  # a cancelled request gets no response, as the spec says


def deliver_batch(batch):
    responses = [r for r in (answer(m) for m in batch) if r is not None]
    if responses:
        send(responses)


def run_threaded(fn, arg):
    if not in_flight.acquire(blocking=False):
        rid = arg.get("id") if isinstance(arg, dict) else None
        send(error_response(rid if valid_id(rid) else None, INTERNAL_ERROR, "too many requests in flight"))
        return

    def work():
        try:
            fn(arg)
        finally:
            in_flight.release()

    # Not a daemon: at the end of stdin the answers still in flight are written before exiting.
    threading.Thread(target=work).start()


def read_line(stream):
    """One line without its newline, None at EOF, or False when it was over MAX_LINE (drained)."""
    line = stream.readline(MAX_LINE + 1)
    if not line:
        return None
    if len(line) > MAX_LINE and not line.endswith(b"\n"):
        while True:
            rest = stream.readline(MAX_LINE)
            if not rest or rest.endswith(b"\n"):
                return False
    return line.rstrip(b"\r\n")


def main():
    stream = sys.stdin.buffer
    while True:
        line = read_line(stream)
        if line is None:
            return
        if line is False:
            send(error_response(None, PARSE_ERROR, "line over %d bytes" % MAX_LINE))
            continue
        if not line.strip():
            continue
        try:
            message = json.loads(line)
        except (ValueError, RecursionError):
            send(error_response(None, PARSE_ERROR, "not JSON"))
            continue
        if isinstance(message, list):
            if not message:
                send(error_response(None, INVALID_REQUEST, "an empty batch"))
            else:
                run_threaded(deliver_batch, message)
        elif isinstance(message, dict) and message.get("method") in THREADED and "id" in message:
            run_threaded(deliver, message)
        else:
            deliver(message)


# What a registered entry carries from the environment it was registered in.
PASSED_ENV = ("GAUNTLET_PROXY_URL", "GAUNTLET_RUN_TOKEN", "GAUNTLET_ACTOR_ID")


def register(path, entry_text):
    """Sets mcpServers.gauntlet in the JSON object at `path` (created if missing); the rest of
    the file is kept. Written whole through a temporary file, readable by its owner only."""
    entry = json.loads(entry_text)
    if not isinstance(entry, dict):
        raise ValueError("the entry must be a JSON object")
    env = dict(entry.get("env") or {})
    env.update({k: os.environ[k] for k in PASSED_ENV if os.environ.get(k)})
    entry["env"] = env
    path = os.path.expanduser(path)
    settings = {}
    if os.path.exists(path):
        with open(path, "rb") as f:
            settings = json.loads(f.read() or b"{}")
        if not isinstance(settings, dict):
            raise ValueError("%s is not a JSON object" % path)
    servers = settings.get("mcpServers")
    settings["mcpServers"] = dict(servers) if isinstance(servers, dict) else {}
    settings["mcpServers"][SERVER_INFO["name"]] = entry
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    tmp = "%s.gauntlet-%d" % (path, os.getpid())
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        json.dump(settings, f, indent=2)
    os.replace(tmp, path)


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--register":
        try:
            if len(sys.argv) != 4:
                raise ValueError("usage: mcp_shim.py --register FILE ENTRY_JSON")
            register(sys.argv[2], sys.argv[3])
        except (OSError, ValueError) as e:
            log("registration failed: %s" % e)
            sys.exit(1)
        sys.exit(0)
    try:
        main()
    except KeyboardInterrupt:
        pass
