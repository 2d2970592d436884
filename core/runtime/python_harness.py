"""Runs a Python-function agent inside the sandbox and reports on a private fd.

Contract (seed runbook 1): a top-level callable (task_input, *, proxy_url, run_token)
returning {"final_response": ...} or a string. An exception is captured and graded.
A best-effort trajectory is captured with audit hooks, without touching the agent's code.
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
MAX_STEPS = 2000
REPORT_FD = os.dup(1)


def report(obj):
    # '@' escaped: the payload can never contain the mark the host splits on.
    data = json.dumps(obj, default=repr).replace("@", "\\u0040").encode()
    with os.fdopen(REPORT_FD, "wb") as out:
        out.write(b"\n@@GAUNTLET_RESULT@@" + data + b"\n")


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


def main():
    spec = json.loads(os.environ["GAUNTLET_AGENT_SPEC"])
    proxy_url = os.environ["GAUNTLET_PROXY_URL"]
    run_token = os.environ["GAUNTLET_RUN_TOKEN"]
    result = {"status": "ok"}
    if not wait_for_proxy(proxy_url):
        report({"status": "proxy_unreachable", "message": f"the gateway forwarder at {proxy_url} did not come up"})
        return
    with open(os.environ["GAUNTLET_TASK_FILE"]) as f:
        task = json.load(f)

    entry_file = os.path.join(AGENT_DIR, spec["entrypoint_file"])
    if not os.path.realpath(entry_file).startswith(AGENT_DIR + "/") or not os.path.isfile(entry_file):
        present = sorted(os.listdir(AGENT_DIR))[:20]
        report({"status": "probe_failed", "message": f"entrypoint file {spec['entrypoint_file']!r} not found in {AGENT_DIR} (it holds: {', '.join(present) or 'nothing'})"})
        return

    # The agent's own prints go to files; the report fd stays ours.
    out_path, err_path = "/tmp/.gauntlet-agent.stdout", "/tmp/.gauntlet-agent.stderr"
    out_fd = os.open(out_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    err_fd = os.open(err_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
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
        try:
            mod_spec = importlib.util.spec_from_file_location("gauntlet_agent_main", entry_file)
            module = importlib.util.module_from_spec(mod_spec)
            sys.modules["gauntlet_agent_main"] = module
            capture.active = True
            mod_spec.loader.exec_module(module)
        except BaseException as e:  # an import-time failure is the agent's own exception
            capture.active = False
            result = {"status": "exception", "phase": "import", "exc_type": type(e).__name__, "message": str(e), "traceback": traceback.format_exc()[-8000:]}
            raise _Done()
        fn = getattr(module, spec["entrypoint"], None)
        if fn is None or not callable(fn):
            capture.active = False
            names = [n for n, v in vars(module).items() if callable(v) and not n.startswith("_")][:20]
            result = {"status": "probe_failed", "message": f"{spec['entrypoint_file']} defines no top-level callable {spec['entrypoint']!r} (callables: {', '.join(names) or 'none'})"}
            raise _Done()
        try:
            inspect.signature(fn).bind({}, proxy_url=proxy_url, run_token=run_token)
        except TypeError as e:
            capture.active = False
            result = {"status": "contract_error", "message": f"{spec['entrypoint']}{inspect.signature(fn)} cannot be called as (task_input, *, proxy_url, run_token): {e}"}
            raise _Done()
        try:
            value = fn(task["task_input"], proxy_url=proxy_url, run_token=run_token)
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
    except _Done:
        pass
    finally:
        capture.active = False
    result["duration_ms"] = int((time.time() - started) * 1000)
    result["finished_at"] = time.time()
    result["steps"] = capture.steps
    result["dropped_steps"] = capture.dropped
    sys.stdout.flush()
    sys.stderr.flush()
    result["stdout_tail"] = tail(out_path)
    result["stderr_tail"] = tail(err_path)
    report(result)


class _Done(Exception):
    pass


if __name__ == "__main__":
    main()
