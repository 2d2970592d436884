import type { SuiteManifest } from '../results/record.js';
import { ms, pct, usd } from '../report/format.js';
import { plainLine } from '../util/untrusted-text.js';

/**
 * The end-of-suite line. `fail` counts runs the judge or the scorers failed; `errored` counts
 * runs that did not finish (status failed: infrastructure or agent errors), which have no verdict.
 */
export function suiteSummaryLine(m: SuiteManifest): string {
  const passK = m.trials > 1 ? ` · pass^${m.trials} ${pct(m.pass_hat_k)}` : '';
  const stopped =
    m.counts.cancelled || m.counts.not_run
      ? ` · cancelled ${m.counts.cancelled ?? 0} · not run ${m.counts.not_run ?? 0}`
      : '';
  // Uncertain runs (a split sampled judge) are neither pass nor fail; shown only when there are any.
  const uncertain = m.counts.uncertain ? ` · uncertain ${m.counts.uncertain}` : '';
  const counts = `fail ${m.counts.fail}${uncertain} · errored ${m.counts.failed}${stopped}`;
  const cost = `cost ${usd(m.cost.total_usd)} · p50 ${ms(m.latency.p50_ms)} · ${ms(m.duration_ms)}`;
  const pass = `${pct(m.pass_rate)} pass (${m.counts.pass}/${m.counts.runs})`;
  return `${plainLine(m.suite)}: ${pass}${passK} · ${counts} · ${cost}`;
}
