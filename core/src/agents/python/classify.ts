import { OUTCOME_BUDGETS } from '../../results/record-size.js';
import type { RunError, TrajectoryStep } from '../../results/record.js';
import { boundJson, clipText } from '../../util/bounded.js';
import type { TurnOutcome } from '../../session/types.js';

export type RawStep = { type: string; t: number; detail: Record<string, unknown>; count?: number };

const STEP_TYPES = new Set([
  'process',
  'file_read',
  'file_write',
  'file_op',
  'http',
  'http_request',
  'network',
]);

/** The harness's audit-hook steps: reported from inside the agent's process, and marked so. */
export function toSteps(raw: RawStep[]): TrajectoryStep[] {
  return raw
    .filter((s) => STEP_TYPES.has(s.type))
    .map((s) => {
      const d = s.detail;
      const summary =
        s.type === 'process'
          ? `$ ${Array.isArray(d.argv) ? d.argv.join(' ') : ''}`
          : s.type === 'file_read'
            ? `read ${d.path}`
            : s.type === 'file_write'
              ? `write ${d.path}`
              : s.type === 'file_op'
                ? `${d.op} ${d.path}`
                : s.type === 'http'
                  ? `connect ${d.host}:${d.port}`
                  : s.type === 'http_request'
                    ? String(d.request)
                    : `connect ${d.address}`;
      const at = Number.isFinite(s.t) ? new Date(s.t * 1000) : new Date();
      return {
        at: (Number.isNaN(at.getTime()) ? new Date() : at).toISOString(),
        type: s.type as TrajectoryStep['type'],
        summary: String(summary).slice(0, 500),
        ...(Number(s.count) > 0 ? { count: Number(s.count) } : {}),
        detail: d,
        observed_by: 'agent' as const,
      };
    });
}

/**
 * Status and error class are the host's call: a timeout, the memory killer and the gateway's
 * own connection count are observed here; what the harness reports is a claim from inside the
 * agent's process. A claim that blames the platform is believed only when the host saw nothing
 * contradict it; an unknown or repeated report fails the run as the agent's own contract error.
 */
export function classify(
  out: TurnOutcome,
  report: Record<string, unknown>,
  gatewaySawTraffic: boolean,
  exitCode: number | undefined,
) {
  const fail = (error: RunError) => {
    out.status = 'failed';
    out.error = error;
  };
  const message = clipText(String(report.message ?? ''), 2000);
  const status = String(report.status);
  // Each report comes with the exit status its writer ends with; any other means it was not
  // the harness's last word (written over, or followed by a crash the agent caused).
  const expected = EXIT_OF[status];
  if (expected !== undefined && exitCode !== undefined && exitCode !== expected)
    return fail(badReport(`it reported ${status} but the process exited ${exitCode}`, exitCode));
  switch (status) {
    case 'ok':
      out.final_response = finalText(report.final_response, out);
      if (report.extra && typeof report.extra === 'object' && Object.keys(report.extra).length)
        out.debug.raw_response = clipText(safeJson(report.extra), 20_000);
      return;
    case 'exception': {
      // Graded, not an infrastructure failure (seed runbook 1).
      const type = clipText(String(report.exc_type ?? 'Exception'), 200);
      out.final_response = finalText(`The agent raised ${type}: ${message}`, out);
      out.debug.exception = {
        type,
        message,
        traceback: clipText(String(report.traceback ?? ''), 8000),
      };
      out.steps.push({
        at: reportedAt(report),
        type: 'exception',
        summary: `${type}: ${message}`.slice(0, 300),
        observed_by: 'agent',
      });
      out.soft_warnings.push(
        `the agent raised ${type} during ${clipText(String(report.phase ?? 'run'), 20)}; graded as its response`,
      );
      return;
    }
    case 'probe_failed':
      return fail({ class: 'contract_error', code: 'entrypoint_probe_failed', message });
    case 'contract_error':
      return fail({ class: 'contract_error', code: 'contract_error', message });
    case 'setup_failed':
      return fail({
        class: 'contract_error',
        code: 'environment_setup_failed',
        message: `the setup command exited ${Number(report.exit_code)}`,
        detail: clipText(String(report.log ?? ''), 4000),
      });
    case 'proxy_unreachable':
    case 'code_copy_failed':
      // Both happen before any agent code runs, so before the harness's first connection.
      if (!gatewaySawTraffic) {
        return status === 'proxy_unreachable'
          ? fail({ class: 'proxy_misconfigured', code: 'proxy_misconfigured', message })
          : fail({
              class: 'internal_error',
              code: 'code_copy_failed',
              message: 'the agent code could not be unpacked in the sandbox',
            });
      }
      return fail(badReport(`it claimed ${status}, but the gateway served this run`, exitCode));
    default:
      return fail(
        badReport(
          `it reported an unknown status ${JSON.stringify(clipText(status, 60))}`,
          exitCode,
        ),
      );
  }
}

export const EXIT_OF: Record<string, number> = {
  ok: 0,
  exception: 0,
  probe_failed: 0,
  contract_error: 0,
  proxy_unreachable: 0,
  setup_failed: 4,
  code_copy_failed: 3,
};

export function badReport(why: string, exitCode: number | undefined): RunError {
  return {
    class: 'contract_error',
    code: 'agent_bad_report',
    message: `the harness's report cannot be trusted: ${why}; something in the agent's process wrote it${exitCode === undefined ? '' : ` (exit ${exitCode})`}`,
  };
}

const safeJson = (v: unknown) =>
  JSON.stringify(boundJson(v, { maxString: 20_000, maxTotal: 40_000 }));
export const reportedAt = (r: Record<string, unknown>) =>
  typeof r.finished_at === 'number' && Number.isFinite(r.finished_at)
    ? new Date(r.finished_at * 1000).toISOString()
    : new Date().toISOString();

function finalText(v: unknown, out: TurnOutcome): string {
  const text = typeof v === 'string' ? v : safeJson(v);
  if (text.length > OUTCOME_BUDGETS.finalResponse)
    out.soft_warnings.push(
      `the final response was cut to ${OUTCOME_BUDGETS.finalResponse} characters (it had ${text.length})`,
    );
  return clipText(text, OUTCOME_BUDGETS.finalResponse);
}
