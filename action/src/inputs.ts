import { parseShard, parseTaskFilter, viewerBase, type Shard } from '../../core/src/index.js';

/** Everything the Action reads from `with:`, parsed and checked before any work starts. */
export interface ActionInputs {
  mode: 'run' | 'merge';
  workingDirectory: string;
  configDir: string;
  suites: string[];
  tasks: string[];
  shard?: Shard;
  concurrency?: number;
  trials?: number;
  /** Extra trials for each task that flipped against the base (0: no confirmation). */
  confirm: number;
  /** The most the confirmation re-runs may cost (estimated from the head runs). */
  confirmMaxCostUsd?: number;
  /** The base to compare with when the event carries no pull request (a dispatched re-run). */
  base?: { sha: string; ref: string };
  judgeModel?: string;
  keys: { ANTHROPIC_API_KEY?: string; OPENAI_API_KEY?: string };
  githubToken?: string;
  resultsBranch?: string;
  resultsRepository?: string;
  /** Where Pages serves the results branch (an https URL, no trailing slash); opt-in. */
  pagesUrl?: string;
  retention: { maxAgeDays: number; maxSuiteRuns: number };
  gates: { minPassRate?: number; maxCostUsd?: number; maxLatencyRegressionPct?: number };
  allowDangerousTriggers: boolean;
  /** Images are restored from a cache before building and saved after (default on). */
  imageCache: boolean;
  /** A directory to keep image archives in instead of the GitHub Actions cache. */
  imageCacheDir?: string;
}

export class InputError extends Error {
  constructor(input: string, message: string, fix: string) {
    super(`input "${input}": ${message}. Fix: ${fix}`);
  }
}

function num(
  get: (n: string) => string,
  name: string,
  opts: { min?: number; max?: number; int?: boolean } = {},
): number | undefined {
  const raw = get(name).trim();
  if (!raw) return undefined;
  const n = Number(raw);
  const bad =
    !Number.isFinite(n) ||
    (opts.int && !Number.isInteger(n)) ||
    (opts.min !== undefined && n < opts.min) ||
    (opts.max !== undefined && n > opts.max);
  if (bad)
    throw new InputError(
      name,
      `${JSON.stringify(raw)} is not ${opts.int ? 'an integer' : 'a number'}${opts.min !== undefined ? ` >= ${opts.min}` : ''}${opts.max !== undefined ? ` <= ${opts.max}` : ''}`,
      `set ${name} to a number such as ${opts.max !== undefined && opts.max <= 1 ? '0.8' : '4'}, or leave it empty`,
    );
  return n;
}

function bool(get: (n: string) => string, name: string, dflt = false): boolean {
  const raw = get(name).trim().toLowerCase();
  if (raw === '') return dflt;
  if (['false', 'no', '0'].includes(raw)) return false;
  if (['true', 'yes', '1'].includes(raw)) return true;
  throw new InputError(
    name,
    `${JSON.stringify(raw)} is not true or false`,
    `write ${name}: true or ${name}: false`,
  );
}

export function parseInputs(get: (name: string) => string): ActionInputs {
  const mode = (get('mode').trim() || 'run') as ActionInputs['mode'];
  if (mode !== 'run' && mode !== 'merge')
    throw new InputError(
      'mode',
      `${JSON.stringify(mode)} is not run or merge`,
      'use mode: run in each shard job and mode: merge in one job that needs them',
    );
  let shard: Shard | undefined;
  if (get('shard').trim()) {
    try {
      shard = parseShard(get('shard'));
    } catch (e) {
      throw new InputError(
        'shard',
        (e as Error).message,
        'write shard: ${{ matrix.shard }}/N with matrix.shard in 1..N',
      );
    }
  }
  const opt = (n: string) => get(n).trim() || undefined;
  const confirm = num(get, 'confirm', { min: 0, max: 50, int: true }) ?? 0;
  if (confirm && shard && shard.total > 1)
    throw new InputError(
      'confirm',
      're-runs flipped tasks in the job that ran them, and a shard sees only its share',
      'run the suite unsharded to confirm, or drop confirm from the shard jobs',
    );
  const baseSha = opt('base-sha');
  const baseRef = opt('base-ref');
  if ((baseSha || baseRef) && !(baseSha && /^[0-9a-f]{40}$/.test(baseSha) && baseRef))
    throw new InputError(
      baseSha && !/^[0-9a-f]{40}$/.test(baseSha) ? 'base-sha' : baseSha ? 'base-ref' : 'base-sha',
      'base-sha (a full 40-character commit) and base-ref (a branch name) go together',
      'pass both from the dispatch inputs, or neither',
    );
  const pagesRaw = opt('pages-url');
  const pagesUrl = pagesRaw === undefined ? undefined : viewerBase(pagesRaw);
  if (pagesRaw !== undefined && !pagesUrl)
    throw new InputError(
      'pages-url',
      `${JSON.stringify(pagesRaw.slice(0, 200))} is not a plain https URL`,
      'write the Pages address, such as https://OWNER.github.io/REPO, or leave it empty',
    );
  return {
    mode,
    ...(baseSha && baseRef ? { base: { sha: baseSha, ref: baseRef } } : {}),
    workingDirectory: opt('working-directory') ?? '.',
    configDir: opt('config-directory') ?? '.gauntlet',
    suites: parseTaskFilter(get('suites')),
    tasks: parseTaskFilter(get('tasks')),
    shard,
    concurrency: num(get, 'concurrency', { min: 1, max: 64, int: true }),
    trials: num(get, 'trials', { min: 1, max: 100, int: true }),
    confirm,
    confirmMaxCostUsd: num(get, 'confirm-max-cost-usd', { min: 0 }),
    judgeModel: opt('judge-model'),
    keys: { ANTHROPIC_API_KEY: opt('anthropic-api-key'), OPENAI_API_KEY: opt('openai-api-key') },
    githubToken: opt('github-token'),
    resultsBranch: opt('results-branch'),
    resultsRepository: opt('results-repository'),
    ...(pagesUrl ? { pagesUrl } : {}),
    retention: {
      maxAgeDays: num(get, 'retention-days', { min: 1, int: true }) ?? 90,
      maxSuiteRuns: num(get, 'retention-runs', { min: 1, int: true }) ?? 2000,
    },
    gates: {
      minPassRate: num(get, 'min-pass-rate', { min: 0, max: 1 }),
      maxCostUsd: num(get, 'max-cost-usd', { min: 0 }),
      maxLatencyRegressionPct: num(get, 'max-latency-regression', { min: 0 }),
    },
    allowDangerousTriggers: bool(get, 'allow-dangerous-triggers'),
    imageCache: bool(get, 'image-cache', true),
    imageCacheDir: opt('image-cache-dir'),
  };
}
