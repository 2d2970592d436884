import { describe, expect, it } from 'vitest';
import { carriesTools, requestToolNames } from './request-tools.js';

const SCHEMA = { type: 'object', properties: { order_id: { type: 'string' } } };

describe('requestToolNames: the tools a model request declares', () => {
  it('reads Anthropic tools[].name, deferred ones included', () => {
    const body = {
      model: 'm',
      tools: [
        { name: 'Bash', input_schema: SCHEMA },
        { name: 'mcp__gauntlet__get_order', input_schema: SCHEMA },
        { name: 'DeferredToolPlaceholder', input_schema: SCHEMA, defer_loading: true },
      ],
      messages: [],
    };
    expect(requestToolNames('anthropic', JSON.stringify(body))).toEqual([
      'Bash',
      'mcp__gauntlet__get_order',
      'DeferredToolPlaceholder',
    ]);
  });

  it('reads OpenAI chat tools[].function.name and legacy functions[].name', () => {
    const body = {
      tools: [{ type: 'function', function: { name: 'get_order', parameters: SCHEMA } }],
      functions: [{ name: 'old_style' }],
    };
    expect(requestToolNames('openai', Buffer.from(JSON.stringify(body)))).toEqual([
      'get_order',
      'old_style',
    ]);
  });

  it('reads OpenAI Responses tools[].name, Codex namespaces as <namespace>__<tool>, and additional_tools', () => {
    // The shapes Codex 0.169 sends: function tools, a web_search tool without a name, and an
    // MCP server's tools as one namespace.
    const body = {
      tools: [
        { type: 'function', name: 'exec_command', parameters: SCHEMA },
        { type: 'web_search' },
        {
          type: 'namespace',
          name: 'mcp__gauntlet',
          tools: [{ type: 'function', name: 'get_order', parameters: SCHEMA }],
        },
      ],
      input: [
        { type: 'message', role: 'user', content: [] },
        { type: 'additional_tools', tools: [{ type: 'function', name: 'late_tool' }] },
      ],
    };
    expect(requestToolNames('openai', JSON.stringify(body))).toEqual([
      'exec_command',
      'mcp__gauntlet__get_order',
      'late_tool',
    ]);
  });

  it('reads Gemini functionDeclarations (either spelling) across tools entries', () => {
    const body = {
      contents: [],
      tools: [
        { functionDeclarations: [{ name: 'read_file' }, { name: 'mcp_gauntlet_get_order' }] },
        { function_declarations: [{ name: 'snake' }] },
        { googleSearch: {} },
      ],
    };
    expect(requestToolNames('gemini', JSON.stringify(body))).toEqual([
      'read_file',
      'mcp_gauntlet_get_order',
      'snake',
    ]);
  });

  it('is null for a body that is not JSON and empty for JSON without tools', () => {
    expect(requestToolNames('anthropic', 'not json {')).toBeNull();
    expect(requestToolNames('openai', Buffer.from([0xff, 0xfe, 0x00]))).toBeNull();
    expect(requestToolNames('gemini', '[1,2]')).toEqual([]);
    expect(requestToolNames('anthropic', '{"messages":[]}')).toEqual([]);
  });

  it('skips hostile entries that are not names, and lists a name once', () => {
    const body = {
      tools: [
        null,
        42,
        'Bash',
        { name: 7 },
        { name: { toString: 'x' } },
        { name: 'ok' },
        { name: 'ok' },
        { type: 'namespace', name: 'ns', tools: 'not a list' },
        { type: 'namespace', tools: [{ name: 'orphan' }] },
        { type: 'function', function: null, name: 'flat' },
      ],
      input: 'not a list',
    };
    expect(requestToolNames('anthropic', JSON.stringify({ tools: 'nope' }))).toEqual([]);
    expect(requestToolNames('anthropic', JSON.stringify(body))).toEqual(['ok', 'ns', 'flat']);
    expect(requestToolNames('openai', JSON.stringify(body))).toEqual(['ok', 'flat']);
    expect(requestToolNames('gemini', JSON.stringify(body))).toEqual([]);
  });
});

describe('carriesTools: every expected tool, bare or as a CLI names an MCP tool', () => {
  it('accepts the bare name and each CLI prefix of server gauntlet', () => {
    expect(carriesTools(['get_order'], ['get_order'])).toBe(true);
    expect(carriesTools(['Bash', 'mcp__gauntlet__get_order'], ['get_order'])).toBe(true);
    expect(carriesTools(['mcp_gauntlet_get_order'], ['get_order'])).toBe(true);
    expect(
      carriesTools(['mcp__gauntlet__get_order', 'mcp__gauntlet__refund'], ['get_order', 'refund']),
    ).toBe(true);
    expect(carriesTools(['anything'], [])).toBe(true);
  });

  it('refuses a missing tool, another server, a partial match, and unknown names', () => {
    expect(carriesTools(['mcp__gauntlet__get_order'], ['get_order', 'refund'])).toBe(false);
    expect(carriesTools(['mcp__other__get_order'], ['get_order'])).toBe(false);
    expect(carriesTools(['mcp__gauntlet__get_order_v2'], ['get_order'])).toBe(false);
    expect(carriesTools(['get_orders'], ['get_order'])).toBe(false);
    expect(carriesTools(null, ['get_order'])).toBe(false);
    expect(carriesTools(null, [])).toBe(false);
  });

  it('works on what requestToolNames read from each CLI shape', () => {
    const codex = JSON.stringify({
      tools: [{ type: 'namespace', name: 'mcp__gauntlet', tools: [{ name: 'get_order' }] }],
    });
    expect(carriesTools(requestToolNames('openai', codex), ['get_order'])).toBe(true);
    const other = JSON.stringify({
      tools: [{ type: 'namespace', name: 'mcp__other', tools: [{ name: 'get_order' }] }],
    });
    expect(carriesTools(requestToolNames('openai', other), ['get_order'])).toBe(false);
  });
});
