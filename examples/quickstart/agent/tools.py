SHELL_TOOL = {
    "name": "run_shell",
    "description": "Run a shell command in the sandbox and return its output.",
    "input_schema": {"type": "object", "properties": {"command": {"type": "string"}}, "required": ["command"]},
}
