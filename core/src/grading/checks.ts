import { Ajv } from 'ajv';
import type { Check, CheckKind, TextCheck, ToolCheck } from '../config/expect.js';
import type {
  ArtifactEntry,
  LedgerState,
  ScorerResult,
  ToolCallRecord,
} from '../results/record.js';
import { boundedTest } from '../util/bounded-regex.js';
import { clipText } from '../util/bounded.js';
import { partialMismatches } from './partial-match.js';

/** What checks read of a run: its final response, its tool calls, the ledger as left. */
export interface CheckEvidence {
  final_response: string | null;
  tool_calls: readonly Pick<ToolCallRecord, 'name' | 'args'>[];
  /** Null when the run had no simulated world. */
  ledger: LedgerState | null;
  /**
   * What was collected from /app/results (sandboxed runs): the manifest and the stored bytes.
   * Absent when the run has no sandbox to collect from (an HTTP agent).
   */
  artifacts?: { entries: readonly ArtifactEntry[]; files: ReadonlyMap<string, Buffer> };
}

export interface CheckContext {
  /** llm_judge checks are scored by the judge's model; absent when the suite has none. */
  llm?: (prompt: string, scale: number) => Promise<{ score: number; reasoning: string }>;
}

type Runner<K extends CheckKind> = (
  c: Extract<Check, { kind: K }>,
  ev: CheckEvidence,
  ctx: CheckContext,
) => string | null | Promise<string | null>;

/** The most mismatches a failing badge lists; the count of the rest follows. */
const MAX_LISTED = 20;
const response = (ev: CheckEvidence) => ev.final_response ?? '';
const fold = (s: string, ic: boolean) => (ic ? s.toLowerCase() : s);
const quote = (s: string) => JSON.stringify(clipText(s, 200));

function text(c: TextCheck, ev: CheckEvidence): string | null {
  const got = fold(c.kind === 'equals' ? response(ev).trim() : response(ev), c.ignore_case);
  const want = fold(c.kind === 'equals' ? c.value.trim() : c.value, c.ignore_case);
  const ic = c.ignore_case ? ' (ignoring case)' : '';
  if (c.kind === 'equals')
    return got === want
      ? null
      : `the final response is ${quote(response(ev))}, not ${quote(c.value)}${ic}`;
  const has = got.includes(want);
  if (c.kind === 'contains') return has ? null : `the final response lacks ${quote(c.value)}${ic}`;
  return has ? `the final response contains ${quote(c.value)}${ic}` : null;
}

/** A JSON document in the final response: the whole of it, or its first ```json block. */
function jsonIn(s: string): { value?: unknown; error?: string } {
  try {
    return { value: JSON.parse(s) };
  } catch (e) {
    const block = /```(?:json)?\s*\n([\s\S]*?)\n```/.exec(s);
    if (!block) return { error: `the final response is not JSON (${(e as Error).message})` };
    try {
      return { value: JSON.parse(block[1]) };
    } catch (e2) {
      return { error: `the response's JSON block is not JSON (${(e2 as Error).message})` };
    }
  }
}

function tools(c: ToolCheck, ev: CheckEvidence): string | null {
  const named = ev.tool_calls.filter((t) => t.name === c.tool);
  const matching = c.args
    ? named.filter((t) => partialMismatches(c.args, t.args).length === 0)
    : named;
  const n = matching.length;
  if (n >= c.count.min && (c.count.max === null || n <= c.count.max)) return null;
  const want =
    c.count.max === null
      ? `at least ${c.count.min}`
      : c.count.min === c.count.max
        ? `exactly ${c.count.min}`
        : `${c.count.min} to ${c.count.max}`;
  const lines = [
    `${c.tool}${c.args ? ` with ${clipText(JSON.stringify(c.args), 200)}` : ''}: ${n} call(s), expected ${want}`,
  ];
  // Why no call matched: the nearest misses name the arguments that differed.
  if (c.args && named.length > n)
    for (const t of named.slice(0, 3))
      lines.push(
        `  call with ${clipText(JSON.stringify(t.args) ?? '', 200)}: ${partialMismatches(
          c.args,
          t.args,
        )
          .slice(0, 5)
          .map((m) => `${m.path}: ${m.message}`)
          .join('; ')}`,
      );
  if (!named.length && ev.tool_calls.length)
    lines.push(`  tools called: ${[...new Set(ev.tool_calls.map((t) => t.name))].join(', ')}`);
  return lines.join('\n');
}

/** The most bytes of an artifact parsed as JSON by a check. */
const MAX_ARTIFACT_JSON = 10 * 1000 * 1000;

/** An artifact's manifest entry, or why the check cannot see one (the badge's reason). */
function artifactOf(path: string, ev: CheckEvidence): { entry?: ArtifactEntry; why?: string } {
  if (!ev.artifacts)
    return { why: 'this run collects no artifacts: only sandboxed agents (command, python) do' };
  const entry = ev.artifacts.entries.find((e) => e.path === path);
  if (entry) return { entry };
  const listed = ev.artifacts.entries.map((e) => e.path);
  return {
    why: `${path} is not among the files collected from /app/results${listed.length ? ` (found: ${clipText(listed.slice(0, 10).join(', '), 300)}${listed.length > 10 ? ', …' : ''})` : ' (none)'}`,
  };
}

/** Each check kind's judgement: null when it holds, else why not (the badge's tail). */
const RUNNERS: { [K in CheckKind]: Runner<K> } = {
  equals: text,
  contains: text,
  not_contains: text,
  regex: (c, ev) =>
    boundedTest(c.pattern, c.flags, response(ev))
      ? null
      : `the final response does not match /${c.pattern}/${c.flags}`,
  json_schema: (c, ev) => {
    const doc = jsonIn(response(ev).trim());
    if (doc.error) return doc.error;
    const ajv = new Ajv({ allErrors: true, strict: false });
    return ajv.validate(c.schema, doc.value)
      ? null
      : ajv.errorsText(ajv.errors, { dataVar: 'response', separator: '\n' });
  },
  tool_called: tools,
  tool_not_called: tools,
  world_state: (c, ev) => {
    if (!ev.ledger)
      return 'this run has no ledger: world_state needs an agent with simulated tools';
    const miss = partialMismatches(c.entities, ev.ledger.entities);
    if (!miss.length) return null;
    const listed = miss.slice(0, MAX_LISTED).map((m) => `${m.path}: ${m.message}`);
    if (miss.length > MAX_LISTED) listed.push(`… and ${miss.length - MAX_LISTED} more`);
    return `${miss.length} mismatch(es) in the final ledger:\n${listed.join('\n')}`;
  },
  file_exists: (c, ev) => {
    const a = artifactOf(c.path, ev);
    if (!a.entry) return a.why!;
    // Listed and refused for its size is still a file that exists; a link or a device is not.
    return /not followed|not a regular file/.test(a.entry.note ?? '')
      ? `${c.path} is not a regular file: ${a.entry.note}`
      : null;
  },
  artifact: (c, ev) => {
    const a = artifactOf(c.path, ev);
    if (!a.entry) return a.why!;
    const data = ev.artifacts!.files.get(c.path);
    if (!a.entry.stored || !data) return `${c.path} was not stored: ${a.entry.note ?? 'refused'}`;
    if (!c.schema) return null;
    if (data.length > MAX_ARTIFACT_JSON)
      return `${c.path} is over ${MAX_ARTIFACT_JSON / 1e6} MB, too large to parse as JSON`;
    let doc: unknown;
    try {
      doc = JSON.parse(data.toString('utf8'));
    } catch (e) {
      return `${c.path} is not JSON: ${(e as Error).message}`;
    }
    const ajv = new Ajv({ allErrors: true, strict: false });
    return ajv.validate(c.schema, doc)
      ? null
      : ajv.errorsText(ajv.errors, { dataVar: c.path, separator: '\n' });
  },
  llm_judge: async (c, _ev, ctx) => {
    if (!ctx.llm)
      return 'no judge model is configured for this suite (judge: none), so this criterion could not be graded';
    const g = await ctx.llm(c.prompt, c.scale);
    return g.score >= c.pass_at
      ? null
      : `${g.score}/${c.scale} (passes at ${c.pass_at}): ${g.reasoning}`;
  },
};

/**
 * Runs a run's `expect:` checks, in order, each on its own: a check that throws (a pattern
 * that backtracks past its bound, a judge that cannot answer) fails with the reason and never
 * stops the others.
 */
export async function runChecks(
  checks: readonly Check[],
  ev: CheckEvidence,
  ctx: CheckContext = {},
): Promise<ScorerResult[]> {
  const out: ScorerResult[] = [];
  for (const c of checks) {
    let why: string | null;
    try {
      why = await (RUNNERS[c.kind] as Runner<CheckKind>)(c, ev, ctx);
    } catch (e) {
      why = `check error: ${(e as Error).message}`;
    }
    out.push({
      name: c.name,
      passed: why === null,
      score: why === null ? 1 : 0,
      check: c.kind,
      ...(why === null ? {} : { tail: clipText(why, 3000) }),
    });
  }
  return out;
}
