import { SHORT_AGENT_NAMES, type ServeContext } from './context.js';
import { sendJson } from './errors.js';
import type { RouteContext } from './routes.js';

/**
 * GET /v1/models: what a `gauntlet` block can launch, in OpenAI's list shape: the declared
 * agents (owned_by gauntlet-agent) and the coding CLIs' short names (owned_by gauntlet-preset).
 */
export function listModels(ctx: ServeContext, { res }: RouteContext) {
  const declared = [...ctx.tree.agents.keys()];
  const data = [
    ...declared.map((id) => ({ id, object: 'model', created: 0, owned_by: 'gauntlet-agent' })),
    ...SHORT_AGENT_NAMES.filter((n) => !declared.includes(n)).map((id) => ({
      id,
      object: 'model',
      created: 0,
      owned_by: 'gauntlet-preset',
    })),
  ];
  sendJson(res, 200, { object: 'list', data });
}
