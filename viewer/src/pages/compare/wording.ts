import type { Comparison, TaskComparison } from '../../../../core/src/index.js';
import { ms, usd } from '../../ui/format.js';

/**
 * The comparison in words, the same words as the PR comment (core/src/report/pr-comment.ts): a
 * reviewer who reads both must find the same claims. Plain text; the page adds the emphasis.
 */

/** A p-value to three places; the smallest all read "< 0.001". */
export const p3 = (p: number | null | undefined) =>
  typeof p !== 'number' || !Number.isFinite(p) ? '—' : p < 0.001 ? '< 0.001' : p.toFixed(3);

const finite = (n: unknown): n is number => typeof n === 'number' && Number.isFinite(n);

/** A head-minus-base difference with its sign (a true minus, as the comment writes it). */
export function signed(n: number, f: (x: number) => string): string {
  if (!finite(n)) return '—';
  return `${n >= 0 ? '+' : '−'}${f(Math.abs(n))}`;
}

export const pointsDelta = (base: number, head: number) =>
  signed((head - base) * 100, (x) => `${x.toFixed(0)} pts`);
export const usdDelta = (base: number, head: number) => signed(head - base, usd);
export const msDelta = (base: number, head: number) => signed(head - base, ms);

export const noiseWord = (beyond: boolean) => (beyond ? 'beyond noise' : 'within noise');

const a = (c: Comparison) => `${Math.round((finite(c.alpha) ? c.alpha : 0.05) * 100)}%`;

/** The paired pass-rate test in plain words. */
export function pairedSentence(c: Comparison): string {
  const r = c.pass_rate;
  if (!r.tasks_informative)
    return `Pass rate, task by task: none of the ${r.tasks_paired} task(s) run on both sides passed some trials and failed others, so the trials show no change.`;
  const k = Math.abs(r.excess_passes);
  const dir = r.excess_passes < 0 ? 'fewer' : 'more';
  const shift =
    r.excess_passes === 0
      ? 'head passed as many trials as expected'
      : `head passed ${k.toFixed(1)} trial(s) ${dir} than base's results predict`;
  return `Pass rate, task by task: over the ${r.tasks_paired} task(s) run on both sides, ${shift} (exact paired test, p ${p3(r.p_value)}, Holm-adjusted ${p3(r.p_adjusted)}): ${noiseWord(r.beyond_noise)}.`;
}

/** The fewest trials a side ran, for the advice; 1 when nothing was paired. */
export const trialsOf = (c: Comparison) => (finite(c.min_trials) ? c.min_trials : 1);

/** The headline: changes beyond noise, or why the flips cannot be called changes. */
export function verdictSentence(c: Comparison): string {
  const flipped = c.tasks.filter((t) => t.change === 'regressed' || t.change === 'improved');
  if (c.regressions || c.improvements)
    return `${c.regressions} regression(s) and ${c.improvements} improvement(s) beyond noise.`;
  if (!flipped.length) return 'No task changed its verdict.';
  const advice =
    trialsOf(c) < 5
      ? '; run more trials (trials: 5) to tell, or confirm the flips with re-runs'
      : '';
  return `No change is beyond noise: ${c.noisy} task(s) flipped, but with ${trialsOf(c)} trial(s) a side that is indistinguishable from chance${advice}.`;
}

/** What "beyond noise" means, for this comparison. */
export function beyondNoiseNote(c: Comparison): string {
  return `Beyond noise: after correcting for the ${c.tasks_tested} task(s) whose trials could show a change and the pass rate (Holm), the chance of seeing a change this large with no real change is under ${a(c)}.`;
}

export function confirmationIntro(rerun: number): string {
  return `Confirmation re-runs of ${rerun} flipped task(s): their extra trials alone, tested against base in the flip's direction (Holm over the tasks re-run).`;
}

/** The confirmation outcomes as the comment lists them. */
export const OUTCOME_SECTIONS = [
  { key: 'confirmed-regressed', label: 'Confirmed regressions' },
  { key: 'confirmed-improved', label: 'Confirmed improvements' },
  { key: 'refuted', label: 'Refuted: the extra trials look like base' },
  { key: 'undecided', label: 'Undecided: too few extra trials to tell' },
] as const;

export function outcomeSection(t: TaskComparison): (typeof OUTCOME_SECTIONS)[number]['key'] | null {
  const o = t.confirmation?.outcome;
  if (o === 'confirmed')
    return t.change === 'improved' ? 'confirmed-improved' : 'confirmed-regressed';
  return o === 'refuted' || o === 'undecided' ? o : null;
}

/** A task's re-runs in a cell: extra passes, outcome, adjusted p. */
export const confirmationCell = (t: TaskComparison) =>
  t.confirmation
    ? `${t.confirmation.extra.pass}/${t.confirmation.extra.n} ${t.confirmation.outcome} (p ${p3(t.confirmation.p_adjusted)})`
    : '';

/** Why a flip was not re-run, from the manifest's `confirmation.not_rerun`. */
export function notRerunReason(reason: string): string {
  switch (reason) {
    case 'cost_cap':
      return 'past the cost cap (confirm-max-cost-usd)';
    case 'not_confirmable':
      return 'past the depth where a re-run could confirm it';
    default:
      return reason;
  }
}

export const tally = (t: { pass: number; n: number } | null) => (t ? `${t.pass}/${t.n}` : '—');
