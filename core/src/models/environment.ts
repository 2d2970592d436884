import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import type { Loaded, ProjectConfig } from '../config/types.js';
import type { SecretResolver } from '../config/secrets.js';
import { Gateway } from '../gateway/server.js';
import { Cassette } from './cassette.js';
import { PriceTable } from './prices.js';
import { ModelRelay, type Provider } from './relay.js';
import { loadScript, serveScript } from './scripted.js';
import type { ModelTarget } from './target.js';
import type { WireFormat } from './wire.js';

const DEFAULT_BASE: Record<WireFormat, string> = {
  anthropic: 'https://api.anthropic.com',
  openai: 'https://api.openai.com',
  gemini: 'https://generativelanguage.googleapis.com',
};
/** The environment variable that holds each provider's key by default. */
export const DEFAULT_KEY: Record<WireFormat, string> = {
  anthropic: 'ANTHROPIC_API_KEY',
  openai: 'OPENAI_API_KEY',
  gemini: 'GEMINI_API_KEY',
};

export class ModelUnresolved extends Error {
  constructor(
    readonly code: 'agent_model_unresolved' | 'simulator_model_unresolved',
    message: string,
  ) {
    super(message);
  }
}

/** Which wire format serves a model name: explicit `anthropic/…`/`openai/…`, else by family. */
export function modelFormat(name: string): { format: WireFormat; model: string } | undefined {
  const m = /^(anthropic|openai)\/(.+)$/.exec(name);
  if (m) return { format: m[1] as WireFormat, model: m[2] };
  if (/^claude/i.test(name)) return { format: 'anthropic', model: name };
  if (/^(gpt|o\d|chatgpt|text-)/i.test(name)) return { format: 'openai', model: name };
  return undefined;
}

/**
 * The host side of every model call in a suite run: providers (real or scripted), the
 * relay with its key injection and cassettes, and a loopback gateway the judge talks to.
 */
export class ModelEnvironment {
  private readonly closers: (() => Promise<void>)[] = [];
  private hostGateway?: Gateway;
  private hostToken = '';
  private redact?: (text: string) => string;
  relay!: ModelRelay;
  readonly providers: Partial<
    Record<WireFormat, Provider & { scripted?: string; keyName?: string }>
  > = {};

  static async start(
    project: Loaded<ProjectConfig>,
    secrets: SecretResolver,
    opts: {
      cassette?: { mode: 'record' | 'replay'; file: string };
      redact?: (text: string) => string;
    } = {},
  ): Promise<ModelEnvironment> {
    const env = new ModelEnvironment();
    env.redact = opts.redact;
    for (const format of ['anthropic', 'openai', 'gemini'] as WireFormat[]) {
      const p = project.value.providers?.[format];
      if (p?.script) {
        const file = resolve(project.dir, p.script);
        const server = await serveScript(loadScript(file));
        env.closers.push(server.close);
        env.providers[format] = { format, baseUrl: server.url, scripted: file };
        continue;
      }
      const keyName = p?.api_key?.secret ?? DEFAULT_KEY[format];
      let apiKey: string | undefined;
      try {
        apiKey = secrets.resolve({ secret: keyName }, `providers.${format}.api_key`);
      } catch {
        apiKey = undefined;
      }
      if (!p && !apiKey) continue;
      env.providers[format] = {
        format,
        baseUrl: p?.base_url ?? DEFAULT_BASE[format],
        apiKey,
        keyName,
      };
    }
    const cassette = opts.cassette
      ? new Cassette(opts.cassette.mode, opts.cassette.file, opts.redact)
      : undefined;
    env.relay = new ModelRelay(env.providers, new PriceTable(project.value.prices), cassette);
    env.hostToken = randomBytes(24).toString('hex');
    secrets.track(env.hostToken);
    env.hostGateway = await new Gateway({
      listen: { host: '127.0.0.1', port: 0 },
      token: env.hostToken,
      relay: env.relay,
      purpose: 'judge',
    }).start();
    return env;
  }

  /** Resolves the judge: the suite's model, then gauntlet.yaml's, else agent_model_unresolved. */
  judgeTarget(suiteModel: string | undefined, projectModel: string | undefined): ModelTarget {
    return this.hostTarget(suiteModel ?? projectModel, {
      code: 'agent_model_unresolved',
      role: 'judge',
      unset:
        'no judge model: set judge.model on the suite or judge_model in gauntlet.yaml (or judge: none for scorer-only suites)',
    });
  }

  /**
   * Resolves the user simulator's model: the suite's simulator.model, then gauntlet.yaml's
   * simulator_model, else simulator_model_unresolved. It is called through the same loopback
   * relay as the judge (keys stay on the host, cassettes record it, the scripted model serves it).
   */
  simulatorTarget(suiteModel?: string, projectModel?: string): ModelTarget {
    return this.hostTarget(suiteModel ?? projectModel, {
      code: 'simulator_model_unresolved',
      role: 'simulator',
      unset:
        'no user-simulator model: set simulator.model on the suite or simulator_model in ' +
        'gauntlet.yaml (persona sessions and simulated tools need one; scripted sessions ' +
        'and passthrough tools do not)',
    });
  }

  /**
   * A model the host itself calls (the judge, the simulator) through its loopback gateway: its
   * provider must be configured and keyed, or the role's code says which fix is missing.
   */
  private hostTarget(
    name: string | undefined,
    o: { code: ModelUnresolved['code']; role: string; unset: string },
  ): ModelTarget {
    const fail = (message: string) => new ModelUnresolved(o.code, message);
    if (!name) throw fail(o.unset);
    const f = modelFormat(name);
    if (!f)
      throw fail(
        `cannot tell which provider serves ${o.role} model "${name}"; write it as ` +
          `anthropic/${name} or openai/${name}`,
      );
    const p = this.providers[f.format];
    if (!p)
      throw fail(
        `${o.role} model "${name}" needs the ${f.format} provider: set ` +
          `${DEFAULT_KEY[f.format]} or providers.${f.format} in gauntlet.yaml`,
      );
    if (!p.scripted && !p.apiKey && p.baseUrl === DEFAULT_BASE[f.format])
      throw fail(
        `${o.role} model "${name}" has no API key: set ${p.keyName ?? DEFAULT_KEY[f.format]}`,
      );
    return {
      model: f.model,
      format: f.format,
      baseUrl: this.hostGateway!.url,
      token: this.hostToken,
      prices: this.relay.prices,
      ...(this.redact ? { redact: this.redact } : {}),
    };
  }

  async close() {
    await this.hostGateway?.close();
    for (const c of this.closers) await c();
  }
}
