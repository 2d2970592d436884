import { Ajv } from 'ajv';
import type { ScorerSpec } from '../config/types.js';
import type { ScorerResult } from '../results/record.js';
import type { Sandbox } from '../sandbox/driver.js';
import { globToRegExp } from '../util/glob.js';

const WS = '/home/user/workspace';
const DEFAULT_TIMEOUT_S = 300;
const TAIL = 3000;

export interface ScorerContext {
  sandbox: Sandbox;
  finalResponse: string | null;
  changedPaths: string[];
  /** LLM criteria are graded by the judge's model; absent when the suite has none. */
  llm?: (prompt: string, scale: number) => Promise<{ score: number; reasoning: string }>;
}

const tail = (s: string) => (s.length > TAIL ? `…${s.slice(-TAIL)}` : s);

async function shellScorer(s: ScorerSpec, cmd: string, ctx: ScorerContext): Promise<ScorerResult> {
  const t = s.timeout ?? DEFAULT_TIMEOUT_S;
  // The command travels in the environment, never spliced into the script.
  const r = await ctx.sandbox.exec(
    ['sh', '-c', `cd ${WS} && timeout -k 5 ${t} sh -c "$GAUNTLET_SCORER_CMD" 2>&1`],
    { env: { GAUNTLET_SCORER_CMD: cmd, HOME: '/home/user' }, timeoutMs: (t + 30) * 1000 },
  );
  const passed = r.exitCode === 0;
  const note = r.exitCode === 124 ? `\n[timed out after ${t} s]` : '';
  return {
    name: s.name,
    passed,
    score: passed ? 1 : 0,
    ...(passed ? {} : { tail: tail(r.stdout + r.stderr) + note + `\n[exit ${r.exitCode}]` }),
  };
}

async function fileScorer(s: ScorerSpec, ctx: ScorerContext): Promise<ScorerResult> {
  const r = await ctx.sandbox.exec(
    ['sh', '-c', `cd ${WS} && head -c 1048576 -- "$GAUNTLET_FILE"`],
    { env: { GAUNTLET_FILE: s.file_exists! }, timeoutMs: 30_000 },
  );
  if (r.exitCode !== 0)
    return {
      name: s.name,
      passed: false,
      score: 0,
      tail: `${s.file_exists} does not exist in the workspace`,
    };
  if (!s.json_schema) return { name: s.name, passed: true, score: 1 };
  let doc: unknown;
  try {
    doc = JSON.parse(r.stdout);
  } catch (e) {
    return {
      name: s.name,
      passed: false,
      score: 0,
      tail: `${s.file_exists} is not JSON: ${(e as Error).message}`,
    };
  }
  const ajv = new Ajv({ allErrors: true, strict: false });
  const ok = ajv.validate(s.json_schema, doc);
  return ok
    ? { name: s.name, passed: true, score: 1 }
    : {
        name: s.name,
        passed: false,
        score: 0,
        tail: ajv.errorsText(ajv.errors, { dataVar: s.file_exists }),
      };
}

/** Runs each scorer after the agent, in the sandbox where it needs the workspace; in order, each with its own timeout. */
export async function runScorers(specs: ScorerSpec[], ctx: ScorerContext): Promise<ScorerResult[]> {
  const out: ScorerResult[] = [];
  for (const s of specs) {
    try {
      if (s.command || s.lint) out.push(await shellScorer(s, (s.command ?? s.lint)!, ctx));
      else if (s.allowed_paths) {
        const res = s.allowed_paths.map(globToRegExp);
        const outside = ctx.changedPaths.filter((p) => !res.some((re) => re.test(p)));
        out.push(
          outside.length
            ? {
                name: s.name,
                passed: false,
                score: 0,
                tail: `changed outside ${s.allowed_paths.join(', ')}:\n${outside.join('\n')}`,
              }
            : { name: s.name, passed: true, score: 1 },
        );
      } else if (s.file_exists) out.push(await fileScorer(s, ctx));
      else if (s.regex) {
        const ok = new RegExp(s.regex, 'm').test(ctx.finalResponse ?? '');
        out.push(
          ok
            ? { name: s.name, passed: true, score: 1 }
            : {
                name: s.name,
                passed: false,
                score: 0,
                tail: `the final response does not match /${s.regex}/`,
              },
        );
      } else if (s.llm_judge) {
        if (!ctx.llm) {
          out.push({
            name: s.name,
            passed: false,
            score: 0,
            tail: 'no judge model is configured for this suite (judge: none), so this LLM criterion could not be graded',
          });
          continue;
        }
        const scale = s.llm_judge.scale ?? 5;
        const passAt = s.llm_judge.pass_at ?? Math.ceil(scale * 0.8);
        const g = await ctx.llm(s.llm_judge.prompt, scale);
        out.push({
          name: s.name,
          passed: g.score >= passAt,
          score: g.score,
          ...(g.score >= passAt
            ? {}
            : { tail: `${g.score}/${scale} (passes at ${passAt}): ${g.reasoning}` }),
        });
      }
    } catch (e) {
      out.push({
        name: s.name,
        passed: false,
        score: 0,
        tail: `scorer error: ${(e as Error).message}`,
      });
    }
  }
  return out;
}
