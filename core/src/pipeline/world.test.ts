import { describe, expect, it } from 'vitest';
import { toolsRegisteredCheck } from './world.js';

const body = (tools: unknown[]) => Buffer.from(JSON.stringify({ model: 'm', tools }));

describe('the tools-registered check', () => {
  it('passes when the first request names every tool, bare or as the MCP server prefixes it', () => {
    const c = toolsRegisteredCheck(['get_order', 'refund']);
    c.onFirstModelRequest(
      'anthropic',
      body([
        { name: 'mcp__gauntlet__get_order' },
        { name: 'mcp__gauntlet__refund' },
        { name: 'Bash' },
      ]),
    );
    expect(c.failure()).toBeNull();
  });

  it('fails the run as a harness error when the first request lacks a tool', () => {
    const c = toolsRegisteredCheck(['get_order', 'refund']);
    c.onFirstModelRequest('anthropic', body([{ name: 'mcp__gauntlet__get_order' }]));
    expect(c.failure()).toMatchObject({ class: 'internal_error', code: 'tools_not_registered' });
  });

  it('reads the OpenAI chat wire format too, and says nothing when no request came', () => {
    const c = toolsRegisteredCheck(['get_order']);
    expect(c.failure()).toBeNull();
    c.onFirstModelRequest('openai', body([{ type: 'function', function: { name: 'Read' } }]));
    expect(c.failure()?.code).toBe('tools_not_registered');
  });
});
