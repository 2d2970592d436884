/**
 * The run's platform tools for a coding CLI (seed runbook 4, step 2′): the MCP shim
 * (core/runtime/mcp_shim.py, in the runtime mount) registered as server `gauntlet` in the way
 * each CLI takes it, with the CLI made to wait for it before its first model call. Each entry
 * below was checked against the real binary (tests/mcp-shim.test.ts, and the versions named).
 * A CLI without MCP, or a command gauntlet does not recognise, gets no registration: the tools
 * stay reachable at the proxy, and the run says they were dropped.
 */
import { MCP_SERVER } from '../../models/request-tools.js';
import type { PresetId } from './presets.js';

/** Where the shim and the run files are; a test on the host points them at its own. */
export interface McpPaths {
  /** The shim, in the runtime mount. */
  shim: string;
  /** Where Session.writeRunFile's files appear. */
  runDir: string;
}

export const SANDBOX_PATHS: McpPaths = {
  shim: '/gauntlet/runtime/mcp_shim.py',
  runDir: '/gauntlet/run',
};
/** What the shim needs from the CLI's environment (mcp_shim.py reads these). */
const SHIM_ENV = ['GAUNTLET_PROXY_URL', 'GAUNTLET_RUN_TOKEN', 'GAUNTLET_ACTOR_ID'];
/** Seconds a CLI waits for the shim's tools/list: the shim itself waits up to 10 s for the forwarder and 60 s for the gateway. */
const STARTUP_S = 90;
/** Seconds one tool call may take (a simulated tool waits on the simulator model). */
const CALL_S = 600;

export interface McpSetup {
  /** Flags appended to the command, each group as [flag(s), a regex telling it is already there]. */
  flags: [string, RegExp][];
  env: Record<string, string>;
  /** Files the sandbox sees under /gauntlet/run, by name. */
  runFiles: Record<string, string>;
  /**
   * Run in the sandbox before the command: the shim merging its own entry, with the gateway's
   * URL and token, into a CLI's settings file in HOME (`mcp_shim.py --register`).
   */
  prepare?: string[];
}

export type McpRegistration =
  { registered: true; cli: PresetId; setup: McpSetup } | { registered: false; warning: string };

const server = (p: McpPaths) => ({ command: 'python3', args: [p.shim] });

const register = (p: McpPaths, file: string, entry: Record<string, unknown>): string[] => [
  'python3',
  p.shim,
  '--register',
  file,
  JSON.stringify({ ...server(p), ...entry }),
];

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

/** One registration per recognised CLI; a string is why that CLI gets none. */
const REGISTRARS: Record<PresetId, ((p: McpPaths) => McpSetup) | string> = {
  // Claude Code 2.1.330: --mcp-config files add up, --strict-mcp-config leaves out the
  // repo's .mcp.json (whose servers would hold up the start). In --print mode it waits for
  // every server's tools/list up to MCP_TIMEOUT (30 s by default); MCP_CONNECTION_NONBLOCKING
  // =false is the documented opt-out for versions that do not wait. alwaysLoad puts the tools
  // in the request's tools (else they are deferred behind its tool search, named only in
  // text). It passes its environment on to the server; --allowedTools allows the calls under
  // any --permission-mode.
  claude: (p) => ({
    flags: [
      [
        `--mcp-config ${p.runDir}/mcp-claude.json`,
        new RegExp(`${escape(p.runDir)}/mcp-claude\\.json`),
      ],
      ['--strict-mcp-config', /--strict-mcp-config|--mcp-config/],
      [`--allowedTools mcp__${MCP_SERVER}`, new RegExp(`(^|[\\s"',])mcp__${MCP_SERVER}(?!_)`)],
    ],
    env: { MCP_TIMEOUT: String(STARTUP_S * 1000), MCP_CONNECTION_NONBLOCKING: 'false' },
    runFiles: {
      'mcp-claude.json': JSON.stringify({
        mcpServers: { [MCP_SERVER]: { type: 'stdio', ...server(p), alwaysLoad: true } },
      }),
    },
  }),
  // Codex 0.169: an MCP server gets only the variables env_vars names. It does not wait for
  // servers unless `required` (then it waits up to startup_timeout_sec, and fails the run
  // when the server cannot start). tool_timeout_sec is 60 s by default.
  codex: (p) => ({
    flags: [
      [
        [
          `-c 'mcp_servers.${MCP_SERVER}.command="python3"'`,
          `-c 'mcp_servers.${MCP_SERVER}.args=${JSON.stringify(server(p).args)}'`,
          `-c 'mcp_servers.${MCP_SERVER}.env_vars=${JSON.stringify(SHIM_ENV)}'`,
          `-c mcp_servers.${MCP_SERVER}.required=true`,
          `-c mcp_servers.${MCP_SERVER}.startup_timeout_sec=${STARTUP_S}`,
          `-c mcp_servers.${MCP_SERVER}.tool_timeout_sec=${CALL_S}`,
        ].join(' '),
        new RegExp(`mcp_servers\\.${MCP_SERVER}\\b`),
      ],
    ],
    env: {},
    runFiles: {},
  }),
  // Gemini CLI 0.61: a system settings file is skipped unless root owns it and every
  // directory above it, so the entry goes into the user's settings. It strips token-like
  // variables from a server's environment, hence the values written in. In -p mode it waits
  // for the servers' tools before its first model call; `timeout` is per request, in ms.
  gemini: (p) => ({
    flags: [],
    env: {},
    runFiles: {},
    prepare: register(p, '~/.gemini/settings.json', { timeout: CALL_S * 1000, trust: true }),
  }),
  // Cursor (cursor-agent; not checked here: its install is not a registry package): the
  // global ~/.cursor/mcp.json (the workspace's .cursor/ would show in the graded diff), and
  // --approve-mcps, without which headless runs do not start the server.
  'cursor-agent': (p) => ({
    flags: [['--approve-mcps', /--approve-mcps/]],
    env: {},
    runFiles: {},
    prepare: register(p, '~/.cursor/mcp.json', {}),
  }),
  aider: 'the run uses Aider (no MCP support)',
};

/**
 * How the run's tools reach the CLI of preset `cli` (undefined: an unrecognised command), or
 * null when the run has no tools.
 */
export function mcpRegistration(
  cli: PresetId | undefined,
  tools: readonly { name: string }[],
  paths: McpPaths = SANDBOX_PATHS,
): McpRegistration | null {
  if (!tools.length) return null;
  const r = cli ? REGISTRARS[cli] : 'the run uses an unrecognised run command';
  if (typeof r !== 'string') return { registered: true, cli: cli!, setup: r(paths) };
  const names = tools.map((t) => t.name);
  const listed = names.length > 5 ? `${names.slice(0, 5).join(', ')}, …` : names.join(', ');
  return {
    registered: false,
    warning:
      `Tools dropped (${listed}): ${r}; use Claude Code, Codex, Gemini CLI or Cursor, or call ` +
      'the proxy directly ($GAUNTLET_PROXY_URL/tools/{name})',
  };
}
