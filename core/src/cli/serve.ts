import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { startServe, type ServeHandle } from '../server/server.js';
import { usageError } from './view.js';

type Say = (line: string) => void;

function whole(v: string | undefined, flag: string, min: number, max: number): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!/^\d+$/.test(v) || n < min || n > max)
    throw usageError(`${flag} takes a whole number ${min}..${max}, not ${JSON.stringify(v)}`);
  return n;
}

/**
 * `gauntlet serve [ROOT] [--host H] [--port N] [--token-env NAME] [--results DIR]
 * [--max-runs N] [--record-cassette FILE | --replay-cassette FILE]`: the OpenAI-compatible
 * endpoint on 127.0.0.1 (any other address needs a bearer token), until Ctrl-C or SIGTERM.
 */
export async function serveCommand(
  args: string[],
  out: Say,
  err: Say,
  opts: {
    env?: NodeJS.ProcessEnv;
    until?: Promise<unknown>;
    onStart?: (h: ServeHandle) => void;
  } = {},
): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      host: { type: 'string' },
      port: { type: 'string' },
      'token-env': { type: 'string' },
      results: { type: 'string' },
      'config-dir': { type: 'string' },
      'max-runs': { type: 'string' },
      'record-cassette': { type: 'string' },
      'replay-cassette': { type: 'string' },
    },
  });
  if (positionals.length > 1) throw usageError('usage: gauntlet serve [ROOT] [--port N]');
  if (values['record-cassette'] && values['replay-cassette'])
    throw usageError('give one of --record-cassette and --replay-cassette');
  const tokenEnv = values['token-env'];
  if (tokenEnv !== undefined && !/^[A-Za-z_][A-Za-z0-9_]*$/.test(tokenEnv))
    throw usageError(`--token-env takes a variable name, not ${JSON.stringify(tokenEnv)}`);
  const cassette = values['record-cassette']
    ? { mode: 'record' as const, file: resolve(values['record-cassette']) }
    : values['replay-cassette']
      ? { mode: 'replay' as const, file: resolve(values['replay-cassette']) }
      : undefined;
  const server = await startServe({
    root: resolve(positionals[0] ?? '.'),
    configDir: values['config-dir'],
    host: values.host,
    port: whole(values.port, '--port', 0, 65535) ?? 0,
    tokenEnv,
    resultsDir: values.results && resolve(values.results),
    maxRuns: whole(values['max-runs'], '--max-runs', 1, 64),
    env: opts.env ?? process.env,
    cassette,
    log: err,
  });
  out(`gauntlet serve: ${server.url}/v1 (OpenAI-compatible)`);
  out(`  POST ${server.url}/v1/chat/completions   GET ${server.url}/v1/models`);
  out(`  runs: ${server.resultsDir}   passthrough calls: ${server.callLog}`);
  err(
    server.tokenRequired
      ? 'requests need Authorization: Bearer <token>; Ctrl-C stops'
      : 'loopback only, no token; Ctrl-C stops',
  );
  opts.onStart?.(server);
  await (opts.until ??
    new Promise<void>((r) => {
      process.once('SIGINT', () => r()).once('SIGTERM', () => r());
    }));
  await server.close();
  return 0;
}
