import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { writeHtmlReport } from '../viewer/html-report.js';
import { resultsDirOf, usageError } from './view.js';

type Say = (line: string) => void;

const USAGE = 'usage: gauntlet report --html FILE [--suite-run ID] [--results DIR | --root ROOT]';

/** Sizes as people read them: 1.2 MB, 340 kB. */
export function humanBytes(n: number): string {
  if (n >= 1e6) return `${(n / 1e6).toFixed(1)} MB`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(0)} kB`;
  return `${n} B`;
}

/**
 * `gauntlet report --html FILE`: one self-contained HTML file of a suite run (the newest by
 * default), for a workflow artifact. Prints the file and its size; warnings go to stderr.
 */
export async function reportCommand(args: string[], out: Say, err: Say): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      html: { type: 'string' },
      'suite-run': { type: 'string' },
      results: { type: 'string' },
      root: { type: 'string' },
    },
  });
  if (!values.html || positionals.length) throw usageError(USAGE);
  const r = await writeHtmlReport({
    resultsDir: resultsDirOf(undefined, values),
    file: resolve(values.html),
    suiteRunId: values['suite-run'],
  });
  for (const w of r.warnings) err(`gauntlet: warning: ${w}`);
  out(
    `${r.file} (${humanBytes(r.bytes)}): suite run ${r.suiteRunIds.join(', ')}; open it in a browser, no server needed`,
  );
  return 0;
}
