import { stat } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import type { AgentConfig, Loaded, ProjectConfig } from '../config/types.js';
import { SecretResolver, SecretUnresolved, isSecretRef } from '../config/secrets.js';
import { AgentCodeError, materialiseCode, type AgentCode } from '../agents/python/source.js';
import type { RunError } from '../results/record.js';
import { ImageError, type ImageManager } from '../sandbox/images.js';
import { sha256, stableStringify } from '../util/hash.js';
import { recognise } from '../agents/command/presets.js';
import { DEFAULT_KEY } from '../models/environment.js';

export const DEFAULT_TIMEOUT_S = 300;

/** Everything resolved once per agent before any sandbox boots; `error` fails its runs early. */
export interface PreparedAgent {
  config: AgentConfig;
  kind: 'python' | 'http' | 'command';
  version: string;
  env: Record<string, string>;
  headers: Record<string, string>;
  code?: AgentCode;
  image?: string;
  timeoutMs: number;
  /** Host files mounted read-only into each sandbox (a CLI from the runner). */
  mounts: { host: string; container: string; readonly: boolean }[];
  error?: RunError;
}

export class DispatchRefused extends Error {}

/** A recognised coding CLI brings its documented install line as an image layer (unless install_cli: false). */
export function withCliInstall(a: AgentConfig): AgentConfig {
  const preset = a.command ? recognise(a.command).preset : undefined;
  if (!preset || a.environment?.install_cli === false || a.environment?.cli_from_host) return a;
  const env = a.environment ?? {};
  return {
    ...a,
    environment: {
      ...env,
      system_packages: [
        ...new Set([...(env.system_packages ?? []), ...preset.install.system_packages]),
      ],
      dockerfile: [preset.install.dockerfile, env.dockerfile ?? ''].filter(Boolean).join('\n'),
    },
  };
}

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
  const kind = a.python ? 'python' : a.http ? 'http' : 'command';
  const p: PreparedAgent = {
    config: a,
    kind,
    version: a.version ?? '',
    env: {},
    headers: {},
    timeoutMs: (a.timeout ?? DEFAULT_TIMEOUT_S) * 1000,
    mounts: [],
  };
  const fail = (error: RunError) => ((p.error = error), p);
  try {
    p.env = secrets.envMap(a.env, `agent ${a.name} env`);
    for (const [k, v] of Object.entries(a.http?.headers ?? {}))
      p.headers[k] = isSecretRef(v) ? secrets.resolve(v, `agent ${a.name} http.headers.${k}`) : v;
  } catch (e) {
    if (e instanceof SecretUnresolved)
      return fail({ class: 'contract_error', code: 'agent_secret_unresolved', message: e.message });
    throw e;
  }
  if (kind === 'command' && !opts.hasScenario)
    return fail({
      class: 'contract_error',
      code: 'in_sandbox_requires_workspace',
      message: `agent "${a.name}" runs a shell command, which needs a coding scenario; set scenario: on the suite`,
    });
  const cli = kind === 'command' ? recognise(a.command!) : undefined;
  // The sandbox has no network: a CLI whose relay is not configured could only fail, after retries.
  const provider = cli?.preset?.provider;
  if (provider && !opts.providers.has(provider))
    return fail({
      class: 'contract_error',
      code: 'agent_model_unresolved',
      message: `agent "${a.name}" runs ${cli!.binary}, whose model calls go through the gateway's ${provider} relay, but no ${provider} provider is configured: set ${DEFAULT_KEY[provider]} or providers.${provider} in gauntlet.yaml`,
    });
  if (kind === 'command' && a.environment?.cli_from_host) {
    const host = resolve(agent.dir, a.environment.cli_from_host);
    if (!(await stat(host).catch(() => undefined))?.isFile())
      return fail({
        class: 'contract_error',
        code: 'environment_setup_failed',
        message: `environment.cli_from_host ${a.environment.cli_from_host} is not a file on this runner (resolved to ${host})`,
      });
    p.mounts.push({
      host,
      container: `/usr/local/bin/${cli?.binary || basename(host)}`,
      readonly: true,
    });
  }
  if (kind === 'command') {
    try {
      p.image = (await images.build(withCliInstall(a))).tag;
    } catch (e) {
      if (e instanceof ImageError)
        return fail({
          class: 'internal_error',
          code: e.code,
          message: e.message,
          detail: e.logTail,
        });
      throw e;
    }
  }
  if (kind === 'python') {
    try {
      p.code = await materialiseCode(agent, secrets, {
        allowHosts: project.value.allow_private_git_hosts,
      });
    } catch (e) {
      if (e instanceof AgentCodeError)
        return fail({
          class: 'contract_error',
          code: 'agent_code_fetch_failed',
          message: e.message,
        });
      if (e instanceof SecretUnresolved)
        return fail({
          class: 'contract_error',
          code: 'agent_secret_unresolved',
          message: e.message,
        });
      throw e;
    }
    try {
      p.image = (await images.build(a)).tag;
    } catch (e) {
      if (e instanceof ImageError)
        return fail({
          class: 'internal_error',
          code: e.code,
          message: e.message,
          detail: e.logTail,
        });
      throw e;
    }
  }
  if (!p.version) {
    const { status: _s, description: _d, ...spec } = a;
    p.version = `sha-${sha256(stableStringify(spec) + (p.code?.hash ?? '')).slice(0, 10)}`;
  }
  return p;
}
