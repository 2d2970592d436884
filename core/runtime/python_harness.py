"""Runs a Python-function agent inside the sandbox, one turn per line it is given.

Contract (seed runbook 1): a top-level callable (task_input, *, proxy_url, run_token)
returning {"final_response": ...} or a string. An exception is captured and graded.
A best-effort trajectory is captured with audit hooks, without touching the agent's code.

Turns: the host writes one JSON line per turn ({"turn": n, "task_input": {...}}) on this
process's stdin, which the agent's code never sees; the module is imported once, so its globals
live as long as this process (a stateful session keeps it for every turn; one-shot and replay
turns close stdin after one line). Each turn's report is one JSON line in OUT_DIR/turn-<n>.json,
appended through a descriptor opened before the agent's code runs for that turn: a file with
more than one line was written by someone else too, and the host refuses it. After a report the
harness tells the gateway (POST /session/turn-done), which is how the host learns a turn of a
live process ended; the host then reads the file.
"""
import importlib.util
import inspect
import io
import json
import os
import socket
import sys
import time
import traceback

AGENT_DIR = "/home/user/agent"
OUT_DIR = "/tmp/.gauntlet/out"
MAX_STEPS = 2000
REPORT_INLINE_MAX = 3 * 1024 * 1024
REPORT_FD = -1


def open_report(turn):
    global REPORT_FD
    REPORT_FD = os.open(f"{OUT_DIR}/turn-{int(turn)}.json", os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)


def report(obj):
    os.write(REPORT_FD, json.dumps(obj, default=repr).encode() + b"\n")
    os.close(REPORT_FD)


def notify_turn_done(proxy_url, run_token, turn):
    import urllib.request
    # The report file as it stands travels with the signal when small, which spares the host a
    # read through the engine's archive endpoint; the file stays the record of it either way.
    body = {"turn": turn}
    try:
        with open(f"{OUT_DIR}/turn-{int(turn)}.json", "rb") as f:
            text = f.read(REPORT_INLINE_MAX + 1)
        if len(text) <= REPORT_INLINE_MAX:
            body["report"] = text.decode("utf-8", "replace")
    except OSError:
        pass
    req = urllib.request.Request(
        proxy_url + "/session/turn-done", method="POST", data=json.dumps(body).encode(),
        headers={"authorization": "Bearer " + run_token, "content-type": "application/json"})
    try:
        urllib.request.urlopen(req, timeout=10).read()
    except OSError:
        pass  # the host also learns from the process ending, or from the turn's timeout


def wait_for_proxy(url, deadline_s=10.0):
    host, port = url.rsplit("//", 1)[1].split(":")
    end = time.monotonic() + deadline_s
    while time.monotonic() < end:
        try:
            socket.create_connection((host, int(port)), timeout=0.2).close()
            return True
        except OSError:
            time.sleep(0.01)
    return False


class Capture:
    """Audit-hook trajectory: files, processes, network. Python-internal noise is filtered."""

    def __init__(self):
        self.steps = []
        self.dropped = 0
        self.active = False
        self.t0 = time.time()
        prefixes = {sys.prefix, sys.base_prefix, sys.exec_prefix, "/usr/lib/python3", "/usr/local/lib/python3", "/proc", "/dev", "/sys", "/etc/ld.so", "/usr/share/zoneinfo", "/etc/localtime", "/gauntlet/runtime"}
        prefixes.update(p for p in sys.path if p and p.startswith("/usr"))
        # Packages from python_requirements live in the user site; importing them is not agent work.
        import site
        if site.USER_SITE:
            prefixes.add(site.USER_SITE)
        self.ignore = tuple(sorted(prefixes))

    def add(self, kind, **detail):
        if len(self.steps) >= MAX_STEPS:
            self.dropped += 1
            return
        last = self.steps[-1] if self.steps else None
        if last and last["type"] == kind and last["detail"] == detail:
            last["count"] = last.get("count", 1) + 1
            return
        self.steps.append({"type": kind, "t": time.time(), "detail": detail})

    def hook(self, event, args):
        if not self.active:
            return
        self.active = False  # our own work below must not re-enter
        try:
            if event == "open":
                path, mode = args[0], args[1]
                if isinstance(path, int) or path is None:
                    return
                path = os.fsdecode(path)
                if path.startswith(self.ignore) or path.endswith((".pyc", ".so")) or "__pycache__" in path:
                    return
                if path.startswith(AGENT_DIR) and path.endswith(".py") and "w" not in str(mode):
                    return
                writing = isinstance(mode, str) and any(c in mode for c in "wax+")
                if not writing and isinstance(args[2], int) and args[2] & (os.O_WRONLY | os.O_RDWR | os.O_CREAT):
                    writing = True
                self.add("file_write" if writing else "file_read", path=path)
            elif event == "subprocess.Popen":
                exe, argv = args[0], args[1]
                argv = [os.fsdecode(a) for a in argv] if isinstance(argv, (list, tuple)) else [os.fsdecode(argv)]
                self.add("process", argv=argv[:50], executable=os.fsdecode(exe) if exe else None)
            elif event == "os.system":
                self.add("process", argv=["sh", "-c", os.fsdecode(args[0])])
            elif event in ("os.exec", "os.posix_spawn"):
                self.add("process", argv=[os.fsdecode(a) for a in list(args[1])[:50]])
            elif event == "http.client.connect":
                self.add("http", host=str(args[1]), port=args[2])
            elif event == "http.client.send":
                line = bytes(args[1][:200]).split(b"\r\n", 1)[0].decode("latin-1")
                if line[:8].split(" ")[0] in ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"):
                    self.add("http_request", request=line)
            elif event == "socket.connect":
                addr = args[1]
                last = self.steps[-1] if self.steps else None
                if isinstance(addr, tuple) and last and last["type"] == "http" and (last["detail"]["host"], last["detail"]["port"]) == (str(addr[0]), addr[1]):
                    return  # the http.client.connect just recorded says it better
                if isinstance(addr, tuple):
                    self.add("network", address=f"{addr[0]}:{addr[1]}")
                elif isinstance(addr, (str, bytes)):
                    self.add("network", address=os.fsdecode(addr))
            elif event in ("os.remove", "os.rename", "os.mkdir", "shutil.rmtree"):
                if args and isinstance(args[0], (str, bytes)) and "__pycache__" in os.fsdecode(args[0]):
                    return
                self.add("file_op", op=event, path=os.fsdecode(args[0]) if args and isinstance(args[0], (str, bytes)) else repr(args[:1]))
        except Exception:
            pass
        finally:
            self.active = True


def tail(path, limit=8000):
    try:
        with open(path, "rb") as f:
            f.seek(0, 2)
            size = f.tell()
            f.seek(max(0, size - limit))
            return f.read().decode("utf-8", "replace")
    except OSError:
        return ""


def next_turn(inbox):
    line = inbox.readline()
    if not line:
        return None
    msg = json.loads(line)
    open_report(msg["turn"])
    return msg


def run_turn(capture, fn, task_input, proxy_url, run_token):
    capture.steps, capture.dropped = [], 0
    started = time.time()
    try:
        capture.active = True
        value = fn(task_input, proxy_url=proxy_url, run_token=run_token)
        capture.active = False
        if isinstance(value, str):
            result = {"status": "ok", "final_response": value}
        elif isinstance(value, dict) and "final_response" in value:
            fr = value["final_response"]
            result = {"status": "ok", "final_response": fr if isinstance(fr, str) else json.dumps(fr, default=repr), "extra": {k: v for k, v in value.items() if k != "final_response"}}
        else:
            result = {"status": "contract_error", "message": f"the agent returned {type(value).__name__}; return a string or a dict with \"final_response\""}
    except BaseException as e:
        capture.active = False
        result = {"status": "exception", "phase": "run", "exc_type": type(e).__name__, "message": str(e), "traceback": traceback.format_exc()[-8000:]}
    return finish(result, capture, started)


def finish(result, capture, started):
    result["duration_ms"] = int((time.time() - started) * 1000)
    result["finished_at"] = time.time()
    result["steps"] = capture.steps if capture else []
    result["dropped_steps"] = capture.dropped if capture else 0
    sys.stdout.flush()
    sys.stderr.flush()
    result["stdout_tail"] = tail("/tmp/.gauntlet-agent.stdout")
    result["stderr_tail"] = tail("/tmp/.gauntlet-agent.stderr")
    return result


def main():
    spec = json.loads(os.environ["GAUNTLET_AGENT_SPEC"])
    proxy_url = os.environ["GAUNTLET_PROXY_URL"]
    run_token = os.environ["GAUNTLET_RUN_TOKEN"]
    os.makedirs(OUT_DIR, mode=0o700, exist_ok=True)
    # The turn channel is ours: the agent's code reads an empty stdin.
    inbox = os.fdopen(os.dup(0), "rb")
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    msg = next_turn(inbox)
    if msg is None:
        return
    if not wait_for_proxy(proxy_url):
        report({"status": "proxy_unreachable", "message": f"the gateway forwarder at {proxy_url} did not come up"})
        return

    entry_file = os.path.join(AGENT_DIR, spec["entrypoint_file"])
    if not os.path.realpath(entry_file).startswith(AGENT_DIR + "/") or not os.path.isfile(entry_file):
        present = sorted(os.listdir(AGENT_DIR))[:20]
        report({"status": "probe_failed", "message": f"entrypoint file {spec['entrypoint_file']!r} not found in {AGENT_DIR} (it holds: {', '.join(present) or 'nothing'})"})
        return

    # The agent's own prints go to files; tails of them come back with each report.
    out_fd = os.open("/tmp/.gauntlet-agent.stdout", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    err_fd = os.open("/tmp/.gauntlet-agent.stderr", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.dup2(out_fd, 1)
    os.dup2(err_fd, 2)
    sys.stdout = io.TextIOWrapper(os.fdopen(1, "wb", buffering=0), write_through=True)
    sys.stderr = io.TextIOWrapper(os.fdopen(2, "wb", buffering=0), write_through=True)

    capture = Capture()
    sys.addaudithook(capture.hook)
    sys.path.insert(0, AGENT_DIR)
    os.chdir(AGENT_DIR)
    started = time.time()
    try:
        mod_spec = importlib.util.spec_from_file_location("gauntlet_agent_main", entry_file)
        module = importlib.util.module_from_spec(mod_spec)
        sys.modules["gauntlet_agent_main"] = module
        capture.active = True
        mod_spec.loader.exec_module(module)
        capture.active = False
    except BaseException as e:  # an import-time failure is the agent's own exception
        capture.active = False
        report(finish({"status": "exception", "phase": "import", "exc_type": type(e).__name__, "message": str(e), "traceback": traceback.format_exc()[-8000:]}, capture, started))
        return
    fn = getattr(module, spec["entrypoint"], None)
    if fn is None or not callable(fn):
        names = [n for n, v in vars(module).items() if callable(v) and not n.startswith("_")][:20]
        report(finish({"status": "probe_failed", "message": f"{spec['entrypoint_file']} defines no top-level callable {spec['entrypoint']!r} (callables: {', '.join(names) or 'none'})"}, capture, started))
        return
    try:
        inspect.signature(fn).bind({}, proxy_url=proxy_url, run_token=run_token)
    except TypeError as e:
        report(finish({"status": "contract_error", "message": f"{spec['entrypoint']}{inspect.signature(fn)} cannot be called as (task_input, *, proxy_url, run_token): {e}"}, capture, started))
        return
    while msg is not None:
        report(run_turn(capture, fn, msg["task_input"], proxy_url, run_token))
        notify_turn_done(proxy_url, run_token, msg["turn"])
        msg = next_turn(inbox)


if __name__ == "__main__":
    main()
