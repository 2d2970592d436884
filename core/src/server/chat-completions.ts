import type { ServeContext } from './context.js';
import { passthrough } from './passthrough.js';
import { checkRequest } from './request-schema.js';
import type { RouteContext } from './routes.js';
import { runbookChat } from './runbook-chat.js';

/**
 * POST /v1/chat/completions: validated against schemas/serve-request.schema.json, then a
 * runbook run when the body carries a `gauntlet` block, else a passthrough to the model.
 */
export async function chatCompletions(ctx: ServeContext, rc: RouteContext) {
  const refused = checkRequest(rc.body);
  if (refused) throw refused;
  if (rc.body!.gauntlet !== undefined) return runbookChat(ctx, rc);
  return passthrough(ctx, rc);
}
