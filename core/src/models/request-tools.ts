import type { WireFormat } from './wire.js';

/** The name the MCP shim is registered under in every coding CLI (agents/command/mcp.ts). */
export const MCP_SERVER = 'gauntlet';

/**
 * How a coding CLI names tool `t` of MCP server `gauntlet` to its model, checked against the
 * real binaries: Claude Code 2.1 `mcp__gauntlet__t`; Codex 0.169 a Responses `namespace` tool
 * `mcp__gauntlet` holding `t` (read below as `mcp__gauntlet__t`); Gemini CLI 0.61
 * `mcp_gauntlet_t`. A bare `t` counts too (a CLI that does not prefix, or the agent's own).
 */
export const MCP_TOOL_PREFIXES = [`mcp__${MCP_SERVER}__`, `mcp_${MCP_SERVER}_`];

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => !!v && typeof v === 'object' && !Array.isArray(v);
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/** OpenAI: chat `tools[].function.name` (and legacy `functions[].name`), Responses `tools[].name`. */
function openaiNames(body: Json): (string | undefined)[] {
  const responses = (tools: unknown[]): (string | undefined)[] =>
    tools.flatMap((t) => {
      if (!isObject(t)) return [];
      // Codex declares an MCP server's tools as one namespace: `mcp__gauntlet` holding `t`.
      if (t.type === 'namespace')
        return list(t.tools).map((n) =>
          isObject(n) && str(t.name) && str(n.name) ? `${t.name}__${n.name}` : undefined,
        );
      return [isObject(t.function) ? str(t.function.name) : str(t.name)];
    });
  // Responses may also add tools later in the input, as `additional_tools` items.
  const added = list(body.input).flatMap((i) =>
    isObject(i) && i.type === 'additional_tools' ? responses(list(i.tools)) : [],
  );
  const legacy = list(body.functions).map((f) => (isObject(f) ? str(f.name) : undefined));
  return [...responses(list(body.tools)), ...added, ...legacy];
}

/** Where each wire format declares tools; a table, one reader per format. */
const READERS: Record<WireFormat, (body: Json) => (string | undefined)[]> = {
  anthropic: (body) => list(body.tools).map((t) => (isObject(t) ? str(t.name) : undefined)),
  openai: openaiNames,
  gemini: (body) =>
    list(body.tools).flatMap((t) =>
      isObject(t)
        ? list(t.functionDeclarations ?? t.function_declarations).map((f) =>
            isObject(f) ? str(f.name) : undefined,
          )
        : [],
    ),
};

/**
 * The tool names a model request declares, in order, each once; null when the body is not
 * JSON. The body is the agent's (hostile): anything that is not a name is skipped.
 */
export function requestToolNames(format: WireFormat, body: Buffer | string): string[] | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(typeof body === 'string' ? body : body.toString('utf8'));
  } catch {
    return null;
  }
  if (!isObject(parsed)) return [];
  const names = READERS[format](parsed).filter((n): n is string => !!n);
  return [...new Set(names)];
}

/**
 * Whether a request declaring `names` carries every `expected` tool: by its own name or as a
 * coding CLI names an MCP tool of `gauntlet` (MCP_TOOL_PREFIXES). Unknown names (null) do not.
 */
export function carriesTools(names: string[] | null, expected: string[]): boolean {
  if (!names) return false;
  const declared = new Set(names);
  return expected.every(
    (t) => declared.has(t) || MCP_TOOL_PREFIXES.some((p) => declared.has(p + t)),
  );
}
