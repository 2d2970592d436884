"""A support agent with its own memory: the conversation so far, kept per session id.

In a stateful session gauntlet keeps this process alive for every turn and sends only the new
message (task_input["messages"] holds just it), so HISTORY is what remembers the order number.
In replay mode the whole transcript comes in task_input["messages"] instead.
"""
import json
import os
import urllib.request

SYSTEM = "You are Acme's customer-support agent. Be brief, act on what the user asks, and remember the conversation."
HISTORY = {}  # session id -> messages: module state, alive as long as the session's process


def ask(proxy_url, run_token, messages):
    req = urllib.request.Request(
        f"{proxy_url}/v1/messages",
        data=json.dumps({"model": os.environ.get("AGENT_MODEL", "claude-haiku-4-5"), "max_tokens": 400, "system": SYSTEM, "messages": messages}).encode(),
        headers={"content-type": "application/json", "x-api-key": run_token, "anthropic-version": "2023-06-01"},
    )
    with urllib.request.urlopen(req, timeout=60) as resp:
        reply = json.load(resp)
    return "".join(b.get("text", "") for b in reply["content"] if b["type"] == "text")


def run(task_input, *, proxy_url, run_token):
    if task_input.get("memory_mode") == "stateful":
        history = HISTORY.setdefault(task_input["session_id"], [])
        history.append({"role": "user", "content": task_input["user_instruction"]})
    else:
        history = list(task_input["messages"])
    text = ask(proxy_url, run_token, history)
    history.append({"role": "assistant", "content": text})
    return text
