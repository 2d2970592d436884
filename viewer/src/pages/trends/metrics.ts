import { ms, pct, usd } from '../../ui/format.js';
import type { Metric } from './points.js';

interface MetricView {
  title: string;
  testid: string;
  color: string;
  /** A figure as the table and the tooltip show it. */
  format: (v: number | null) => string;
  /** A tick's label: exact to the tick's step, where `format` would round ($0.025 is not $0.03). */
  tick: (v: number) => string;
  /** A share of 0..1, drawn on a fixed 0–100% scale so charts of suites read alike. */
  unit: boolean;
}

/** How each trend is drawn and read: its title, its scale, its colour, its figures. */
export const METRIC_VIEW: Record<Metric, MetricView> = {
  pass_rate: {
    title: 'Pass rate',
    testid: 'trends-chart-pass-rate',
    color: '#0969da',
    format: pct,
    tick: (v) => `${Math.round(v * 100)}%`,
    unit: true,
  },
  pass_hat_k: {
    title: 'pass^k (every trial passed)',
    testid: 'trends-chart-pass-hat-k',
    color: '#8250df',
    format: pct,
    tick: (v) => `${Math.round(v * 100)}%`,
    unit: true,
  },
  cost_usd: {
    title: 'Cost per suite run',
    testid: 'trends-chart-cost',
    color: '#1a7f37',
    format: usd,
    tick: (v) => (v === 0 ? '$0' : `$${+v.toPrecision(3)}`),
    unit: false,
  },
  p95_ms: {
    title: 'p95 latency',
    testid: 'trends-chart-p95',
    color: '#bc4c00',
    format: ms,
    tick: ms,
    unit: false,
  },
};
