import { describe, expect, it } from 'vitest';
import { describeAgentChange } from './describe.js';
import type { AgentConfig } from './types.js';

const base: AgentConfig = {
  kind: 'agent',
  name: 'support',
  python: { source: { path: '../agent' } },
  timeout: 120,
  env: {
    AGENT_MODEL: 'claude-haiku-4-5',
    SYSTEM_PROMPT: 'Be brief.',
    API_TOKEN: { secret: 'TOKEN' },
  },
  tools: [{ name: 'get_order', description: 'Look up', input_schema: { type: 'object' } }],
  environment: { system_packages: ['jq'] },
};

describe('agent change descriptions', () => {
  it('names model, prompt, tools, timeout and environment changes, never secret values', () => {
    const head: AgentConfig = {
      ...base,
      timeout: 300,
      env: {
        AGENT_MODEL: 'claude-sonnet-4-6',
        SYSTEM_PROMPT: 'Be thorough.',
        API_TOKEN: { secret: 'TOKEN_V2' },
      },
      tools: [
        {
          name: 'get_order',
          description: 'Look up',
          input_schema: { type: 'object', required: ['id'] },
        },
        { name: 'refund', description: 'Refund', input_schema: { type: 'object' } },
      ],
      environment: { system_packages: ['jq', 'ripgrep'], setup_command: 'make deps' },
    };
    expect(describeAgentChange(base, head)).toEqual([
      'model (AGENT_MODEL): "claude-haiku-4-5" → "claude-sonnet-4-6"',
      'env API_TOKEN: {secret: TOKEN} → {secret: TOKEN_V2}',
      'prompt (SYSTEM_PROMPT): "Be brief." → "Be thorough."',
      'timeout: 120 s → 300 s',
      'tools added: refund',
      'tool get_order changed its input schema',
      'system packages added: ripgrep',
      'setup command: — → `make deps`',
    ]);
  });

  it('says when nothing that affects runs changed, and describes new agents', () => {
    expect(describeAgentChange(base, structuredClone(base))).toEqual([
      'no change that affects runs (formatting or comments only)',
    ]);
    expect(describeAgentChange(undefined, base)[0]).toBe(
      'new agent: Python path ../agent, entrypoint main.py:run',
    );
  });
});
