"""Acme's customer-support agent: a tool-using model loop over the platform tools.

The front desk (actor "support") answers with the order tools; refunds go to a billing
specialist (actor "support/billing"), a second model loop with its own prompt and tools. Every
tool call carries its actor path in x-gauntlet-actor, and the transfer is posted as a handoff
trace event, so gauntlet can draw the multi-agent structure card.

Standard library only: the sandbox has no network but the gateway (GAUNTLET_PROXY_URL).
"""
import json
import os
import random
import time
import urllib.error
import urllib.request

MODEL = os.environ.get("AGENT_MODEL", "claude-haiku-4-5")
FRONT_DESK = (
    "You are Acme's customer-support agent. Use the tools to look things up and act; never "
    "guess an order's state. Refunds are not yours: transfer them to billing."
)
BILLING = (
    "You are Acme's billing specialist. Check the order, refund exactly what is owed, and "
    "report what you did in one sentence."
)
TRANSFER = {
    "name": "transfer_to_billing",
    "description": "Hand a refund request to the billing specialist; returns their report.",
    "input_schema": {
        "type": "object",
        "properties": {"request": {"type": "string"}},
        "required": ["request"],
    },
}
BILLING_TOOLS = {"get_order", "refund_order"}


def http(method, url, token, body=None, headers=None):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(url, data=data, method=method)
    req.add_header("authorization", f"Bearer {token}")
    req.add_header("content-type", "application/json")
    for k, v in (headers or {}).items():
        req.add_header(k, v)
    try:
        with urllib.request.urlopen(req, timeout=120) as resp:
            return resp.status, json.load(resp)
    except urllib.error.HTTPError as e:
        try:
            return e.code, json.load(e)
        except ValueError:
            return e.code, {"error": {"type": "http_error", "message": str(e)}}


def call_tool(proxy, token, name, args, actor):
    """One platform tool call; lock contention is retried with jitter, other errors returned."""
    for attempt in range(4):
        status, body = http("POST", f"{proxy}/tools/{name}", token, args, {"x-gauntlet-actor": actor})
        if status == 503 and body.get("error", {}).get("type") == "lock_contention":
            time.sleep(0.05 * (2**attempt) + random.random() * 0.05)
            continue
        return status < 400, body
    return False, body


def loop(proxy, token, system, messages, tools, actor, local=None):
    """The model loop: ask, run the tools it calls, give back the results, until it answers."""
    local = local or {}
    messages = list(messages)
    for _ in range(12):
        status, reply = http(
            "POST",
            f"{proxy}/v1/messages",
            token,
            {"model": MODEL, "max_tokens": 800, "system": system, "messages": messages, "tools": tools},
            {"anthropic-version": "2023-06-01", "x-gauntlet-actor": actor},
        )
        if status != 200:
            raise RuntimeError(f"model call failed ({status}): {reply}")
        messages.append({"role": "assistant", "content": reply["content"]})
        uses = [b for b in reply["content"] if b["type"] == "tool_use"]
        if not uses:
            return "".join(b.get("text", "") for b in reply["content"] if b["type"] == "text")
        results = []
        for u in uses:
            if u["name"] in local:
                ok, out = True, local[u["name"]](u["input"])
            else:
                ok, out = call_tool(proxy, token, u["name"], u["input"], actor)
            results.append(
                {
                    "type": "tool_result",
                    "tool_use_id": u["id"],
                    "content": json.dumps(out),
                    **({} if ok else {"is_error": True}),
                }
            )
        messages.append({"role": "user", "content": results})
    return "I could not finish this request."


def run(task_input, *, proxy_url, run_token):
    _, catalog = http("GET", f"{proxy_url}/tools", run_token)
    tools = catalog["tools"]
    desk_tools = [t for t in tools if t["name"] != "refund_order"] + [TRANSFER]
    billing_tools = [t for t in tools if t["name"] in BILLING_TOOLS]

    def transfer(args):
        http(
            "POST",
            f"{proxy_url}/trace-events",
            run_token,
            {"type": "handoff", "from": "support", "to": "billing", "actor_id": "support",
             "reason": args.get("request", "")[:200]},
        )
        msgs = [{"role": "user", "content": args.get("request", "")}]
        report = loop(proxy_url, run_token, BILLING, msgs, billing_tools, "support/billing")
        return {"billing_report": report}

    messages = task_input.get("messages") or [
        {"role": "user", "content": task_input["user_instruction"]}
    ]
    return loop(proxy_url, run_token, FRONT_DESK, messages, desk_tools, "support",
                {"transfer_to_billing": transfer})
