import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { mcpRegistration, SANDBOX_PATHS, type McpSetup } from './mcp.js';
import { recognise, resumeCommand, whyNoResume, withFlags, type PresetId } from './presets.js';

const TOOLS = [{ name: 'get_order' }, { name: 'refund' }];

function setupOf(cli: PresetId): McpSetup {
  const r = mcpRegistration(cli, TOOLS);
  if (!r?.registered) throw new Error(`${cli} was not registered`);
  return r.setup;
}

/** The words a shell makes of `command` (sh itself, so the quoting is checked for real). */
function words(command: string): string[] {
  const out = execFileSync('sh', ['-c', `for w in ${command}; do printf '%s\\0' "$w"; done`], {
    encoding: 'utf8',
  });
  return out.split('\0').slice(0, -1);
}

describe('MCP registration per coding CLI', () => {
  it('registers nothing when the run has no tools', () => {
    expect(mcpRegistration('claude', [])).toBeNull();
    expect(mcpRegistration(undefined, [])).toBeNull();
  });

  it('Claude Code: an --mcp-config run file with alwaysLoad, strict, allowed, and a wait long enough', () => {
    const s = setupOf('claude');
    const command = withFlags(recognise('claude -p "$(cat $GAUNTLET_TASK_FILE)"').command, s.flags);
    expect(command).toMatch(
      / --mcp-config \/gauntlet\/run\/mcp-claude\.json --strict-mcp-config --allowedTools mcp__gauntlet$/,
    );
    expect(JSON.parse(s.runFiles['mcp-claude.json'])).toEqual({
      mcpServers: {
        gauntlet: {
          type: 'stdio',
          command: 'python3',
          args: ['/gauntlet/runtime/mcp_shim.py'],
          alwaysLoad: true,
        },
      },
    });
    expect(s.env).toEqual({ MCP_TIMEOUT: '90000', MCP_CONNECTION_NONBLOCKING: 'false' });
    // Appending is idempotent, and a command with its own --mcp-config is not made strict.
    expect(withFlags(command, s.flags)).toBe(command);
    const own = withFlags('claude -p hi --mcp-config mine.json', s.flags);
    expect(own).toContain('--mcp-config /gauntlet/run/mcp-claude.json');
    expect(own).not.toContain('--strict-mcp-config');
    expect(withFlags('claude -p hi --allowedTools mcp__gauntlet', s.flags)).not.toMatch(
      /mcp__gauntlet.*mcp__gauntlet/,
    );
  });

  it('Codex: -c overrides the shell hands to codex as valid TOML, env_vars, required', () => {
    const s = setupOf('codex');
    const command = withFlags(
      recognise('codex exec "$(cat $GAUNTLET_TASK_FILE)"').command,
      s.flags,
    );
    const w = words(command.slice(command.indexOf("-c 'mcp_servers")));
    expect(w).toEqual([
      '-c',
      'mcp_servers.gauntlet.command="python3"',
      '-c',
      'mcp_servers.gauntlet.args=["/gauntlet/runtime/mcp_shim.py"]',
      '-c',
      'mcp_servers.gauntlet.env_vars=["GAUNTLET_PROXY_URL","GAUNTLET_RUN_TOKEN","GAUNTLET_ACTOR_ID"]',
      '-c',
      'mcp_servers.gauntlet.required=true',
      '-c',
      'mcp_servers.gauntlet.startup_timeout_sec=90',
      '-c',
      'mcp_servers.gauntlet.tool_timeout_sec=600',
    ]);
    // A user's own gauntlet server is left alone.
    expect(withFlags('codex exec -c mcp_servers.gauntlet.command=x hi', s.flags)).toBe(
      'codex exec -c mcp_servers.gauntlet.command=x hi',
    );
  });

  it('registration flags keep a command resumable', () => {
    const id = '0199a213-81c0-7800-8aa1-bbab2a035a53';
    for (const [cli, configured] of [
      ['claude', 'claude -p "$(cat $GAUNTLET_TASK_FILE)"'],
      ['codex', 'codex exec "$(cat $GAUNTLET_TASK_FILE)"'],
    ] as const) {
      const command = withFlags(recognise(configured).command, setupOf(cli).flags);
      expect(whyNoResume(command)).toBeNull();
      expect(resumeCommand(command, id)).toContain(id);
    }
  });

  it('Gemini CLI and Cursor: the shim registers itself in the settings file in HOME first', () => {
    const g = setupOf('gemini');
    expect(g.flags).toEqual([]);
    expect(g.prepare!.slice(0, 4)).toEqual([
      'python3',
      SANDBOX_PATHS.shim,
      '--register',
      '~/.gemini/settings.json',
    ]);
    expect(JSON.parse(g.prepare![4])).toEqual({
      command: 'python3',
      args: ['/gauntlet/runtime/mcp_shim.py'],
      timeout: 600_000,
      trust: true,
    });
    const c = setupOf('cursor-agent');
    expect(c.prepare![3]).toBe('~/.cursor/mcp.json');
    expect(withFlags(recognise('cursor-agent "fix it"').command, c.flags)).toMatch(
      / --approve-mcps$/,
    );
  });

  it('drops the tools with the seeds’ warning for Aider and unrecognised commands', () => {
    const aider = mcpRegistration('aider', TOOLS);
    expect(aider).toEqual({
      registered: false,
      warning:
        'Tools dropped (get_order, refund): the run uses Aider (no MCP support); use Claude ' +
        'Code, Codex, Gemini CLI or Cursor, or call the proxy directly ($GAUNTLET_PROXY_URL/tools/{name})',
    });
    const other = mcpRegistration(undefined, TOOLS);
    expect(other?.registered).toBe(false);
    expect(!other?.registered && other?.warning).toMatch(
      /^Tools dropped \(get_order, refund\): the run uses an unrecognised run command; use/,
    );
    const many = mcpRegistration(
      undefined,
      Array.from({ length: 8 }, (_, i) => ({ name: `t${i}` })),
    );
    expect(!many?.registered && many?.warning).toMatch(/^Tools dropped \(t0, t1, t2, t3, t4, …\)/);
  });

  it('takes other paths for a run on the host', () => {
    const s = mcpRegistration('claude', TOOLS, { shim: '/x/shim.py', runDir: '/tmp/r' });
    expect(s?.registered && s.setup.flags[0][0]).toBe('--mcp-config /tmp/r/mcp-claude.json');
    expect(s?.registered && s.setup.runFiles['mcp-claude.json']).toContain('"/x/shim.py"');
  });
});
