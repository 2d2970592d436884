import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { serveViewer } from '../viewer/serve.js';
import { openBrowser } from './open-browser.js';

type Say = (line: string) => void;

export function usageError(message: string): Error {
  return Object.assign(new Error(message), { code: 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' });
}

/** RESULTS_DIR as given, else `--results DIR`, else `<root>/.gauntlet/results` (as `show`). */
export function resultsDirOf(
  positional: string | undefined,
  values: { results?: string; root?: string },
): string {
  if (positional && values.results)
    throw usageError('give the results directory once: RESULTS_DIR or --results DIR');
  const given = positional ?? values.results;
  return given ? resolve(given) : join(resolve(values.root ?? '.'), '.gauntlet/results');
}

function port(v: string | undefined): number {
  if (v === undefined) return 0;
  const n = Number(v);
  if (!/^\d+$/.test(v) || n > 65535)
    throw usageError(
      `--port takes a port number 0..65535 (0: a free one), not ${JSON.stringify(v)}`,
    );
  return n;
}

/**
 * `gauntlet view [RESULTS_DIR] [--root ROOT] [--port N] [--no-open]`: serves the viewer over
 * the results on 127.0.0.1, prints the URL, opens a browser when there is one, and runs until
 * Ctrl-C or SIGTERM (exit 0).
 */
export async function viewCommand(
  args: string[],
  out: Say,
  err: Say,
  opts: { env?: NodeJS.ProcessEnv; until?: Promise<unknown> } = {},
): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      root: { type: 'string' },
      results: { type: 'string' },
      port: { type: 'string' },
      'no-open': { type: 'boolean' },
    },
  });
  if (positionals.length > 1) throw usageError('usage: gauntlet view [RESULTS_DIR] [--port N]');
  const resultsDir = resultsDirOf(positionals[0], values);
  const server = await serveViewer({ resultsDir, port: port(values.port) });
  out(`gauntlet view: ${resultsDir}`);
  out(`  ${server.url}`);
  const opened = !values['no-open'] && openBrowser(server.url, opts.env ?? process.env);
  err(opened ? 'opened in your browser; Ctrl-C stops' : 'open the URL above; Ctrl-C stops');
  await (opts.until ??
    new Promise<void>((r) => {
      process.once('SIGINT', () => r()).once('SIGTERM', () => r());
    }));
  await server.close();
  return 0;
}
