import type { AgentConfig, Loaded, ProjectConfig } from '../config/types.js';
import { SecretResolver, SecretUnresolved, isSecretRef } from '../config/secrets.js';
import type { PreparedAgent } from '../agents/kind.js';
import { agentKindOf } from '../agents/registry.js';
import { RunFailure } from '../results/run-failure.js';
import type { ImageManager } from '../sandbox/images.js';
import { sha256, stableStringify } from '../util/hash.js';

export type { PreparedAgent } from '../agents/kind.js';
export { withCliInstall } from '../agents/command/adapter.js';

export const DEFAULT_TIMEOUT_S = 300;

export class DispatchRefused extends Error {}

/**
 * Resolves an agent once per suite run, before any sandbox: its secrets, then what its kind
 * needs (code, image, mounts). A failure here is recorded on every run of the agent.
 */
export async function prepareAgent(
  agent: Loaded<AgentConfig>,
  project: Loaded<ProjectConfig>,
  secrets: SecretResolver,
  images: ImageManager,
  opts: { hasScenario: boolean; providers: ReadonlySet<string> },
): Promise<PreparedAgent> {
  const a = agent.value;
  if (a.status === 'draft')
    throw new DispatchRefused(
      `${agent.file}:${agent.pos(['status']).line}: agent "${a.name}" is a draft and cannot be dispatched; set status: published`,
    );
  const kind = agentKindOf(a);
  const p: PreparedAgent = {
    config: a,
    kind: kind.kind,
    version: a.version ?? '',
    env: {},
    headers: {},
    timeoutMs: (a.timeout ?? DEFAULT_TIMEOUT_S) * 1000,
    mounts: [],
    endpoints: new Map(),
  };
  try {
    p.env = secrets.envMap(a.env, `agent ${a.name} env`);
    for (const [k, v] of Object.entries(a.http?.headers ?? {}))
      p.headers[k] = isSecretRef(v) ? secrets.resolve(v, `agent ${a.name} http.headers.${k}`) : v;
    for (const t of a.tools ?? []) {
      if (t.mode !== 'passthrough' || !t.endpoint) continue;
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(t.endpoint.headers ?? {}))
        headers[k] = isSecretRef(v)
          ? secrets.resolve(v, `agent ${a.name} tool ${t.name} endpoint.headers.${k}`)
          : v;
      p.endpoints.set(t.name, {
        url: t.endpoint.url,
        headers,
        timeoutMs: (t.endpoint.timeout ?? 30) * 1000,
      });
    }
    await kind.prepare(p, { agent, project, secrets, images, ...opts });
  } catch (e) {
    if (e instanceof SecretUnresolved)
      p.error = { class: 'contract_error', code: 'agent_secret_unresolved', message: e.message };
    else if (e instanceof RunFailure) p.error = e.error;
    else throw e;
    return p;
  }
  if (!p.version) {
    const { status: _s, description: _d, ...spec } = a;
    p.version = `sha-${sha256(stableStringify(spec) + (p.code?.hash ?? '')).slice(0, 10)}`;
  }
  return p;
}
