import { resolve } from 'node:path';
import { loadConfig } from '../config/load.js';
import { SecretResolver } from '../config/secrets.js';
import { ModelEnvironment } from '../models/environment.js';
import { Redactor } from '../results/redact.js';
import { resolveToken } from './auth.js';
import { CallLog } from './call-log.js';
import { chatCompletions } from './chat-completions.js';
import type { ServeContext } from './context.js';
import { launchRunbook, type Launcher } from './launch.js';
import { listModels } from './models-list.js';
import { exact, pattern, type Route } from './routes.js';
import { RunSlots } from './run-slots.js';
import { getArtifact, getRun } from './runs.js';
import { SERVE_LIMITS, startTransport, type ServeLimits } from './transport.js';

export interface ServeOptions {
  /** The repository holding .gauntlet/ (its agents, providers; runbook and file paths). */
  root: string;
  configDir?: string;
  /** 127.0.0.1 unless given; any non-loopback address needs a bearer token. */
  host?: string;
  /** 0 (the default) takes a free port. */
  port?: number;
  /** The variable holding the bearer token (default GAUNTLET_SERVE_TOKEN). */
  tokenEnv?: string;
  /** Where runs are recorded and looked up: else gauntlet.yaml's results_dir, else the default. */
  resultsDir?: string;
  env?: NodeJS.ProcessEnv;
  cassette?: { mode: 'record' | 'replay'; file: string };
  limits?: Partial<ServeLimits>;
  /** Runbook runs at once (a sandbox each); default gauntlet.yaml's concurrency, else 2. */
  maxRuns?: number;
  /** What launches a runbook run; runRunbook unless a caller substitutes one. */
  launch?: Launcher;
  /** Operational lines (never request or response content). */
  log?: (line: string) => void;
}

export interface ServeHandle {
  url: string;
  host: string;
  port: number;
  /** Whether requests must carry the bearer token. */
  tokenRequired: boolean;
  resultsDir: string;
  /** The passthrough calls' log file. */
  callLog: string;
  /** Resolves when no runbook run is in flight (a cancelled one has torn its sandbox down). */
  runsIdle(): Promise<void>;
  /** Resolves once every passthrough call answered so far is in the call log. */
  flush(): Promise<void>;
  /** Stops serving: cancels the runs in flight and resolves once they are torn down. */
  close(): Promise<void>;
}

/**
 * `gauntlet serve`: an OpenAI-compatible endpoint over a config tree. The route table is the
 * whole surface; the transport enforces auth and caps before any route runs.
 */
export async function startServe(o: ServeOptions): Promise<ServeHandle> {
  const env = o.env ?? process.env;
  const host = o.host ?? '127.0.0.1';
  // Refused before anything is loaded or bound.
  const token = resolveToken(host, env, o.tokenEnv);
  const root = resolve(o.root);
  const tree = await loadConfig(root, { configDir: o.configDir });
  const secrets = new SecretResolver(env);
  const redactor = new Redactor();
  if (token) redactor.add(token);
  const redact = (t: string) => redactor.text(t);
  const models = await ModelEnvironment.start(tree.project, secrets, {
    cassette: o.cassette,
    redact,
  });
  for (const v of secrets.values()) redactor.add(v);
  const resultsDir = resolve(
    root,
    o.resultsDir ?? tree.project.value.results_dir ?? '.gauntlet/results',
  );
  const log = o.log ?? (() => {});
  let url = '';
  const ctx: ServeContext = {
    root,
    ...(o.configDir ? { configDir: o.configDir } : {}),
    resultsDir,
    tree,
    models,
    env,
    launch: o.launch ?? launchRunbook,
    redact,
    baseUrl: () => url,
    runs: new RunSlots(o.maxRuns ?? tree.project.value.concurrency ?? 2),
    calls: new CallLog(resultsDir, log, redact),
    replaying: o.cassette?.mode === 'replay',
    log,
  };
  const routes: Route[] = [
    {
      method: 'POST',
      match: exact('/v1/chat/completions'),
      handle: (c) => chatCompletions(ctx, c),
    },
    { method: 'GET', match: exact('/v1/models'), handle: (c) => listModels(ctx, c) },
    {
      method: 'GET',
      match: pattern(/^\/v1\/runs\/([^/]+)$/),
      handle: (c) => getRun(ctx, c),
    },
    {
      method: 'GET',
      match: pattern(/^\/v1\/runs\/([^/]+)\/artifacts\/(.+)$/),
      handle: (c) => getArtifact(ctx, c),
    },
  ];
  let transport;
  try {
    transport = await startTransport({
      host,
      port: o.port ?? 0,
      token,
      routes,
      limits: { ...SERVE_LIMITS, ...o.limits },
    });
  } catch (e) {
    await models.close();
    throw e;
  }
  url = transport.url;
  return {
    url,
    host,
    port: transport.port,
    tokenRequired: !!token,
    resultsDir,
    callLog: ctx.calls.file,
    flush: () => ctx.calls.flush(),
    runsIdle: () => ctx.runs.idle(),
    close: async () => {
      // Closing drops every connection, which cancels the runs they launched; close resolves
      // once those runs are over and their sandboxes gone, so Ctrl-C leaves no container.
      await transport.close();
      await ctx.runs.idle();
      await ctx.calls.flush();
      await models.close();
    },
  };
}
