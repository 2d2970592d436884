import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { appFindings } from './doctor-app.js';
import { configFindings } from './doctor-config.js';
import { engineFindings } from './doctor-engine.js';
import { hostFindings } from './doctor-host.js';

/**
 * One thing doctor looked at. A blocker stops runs (doctor exits 1); a warning is likely to
 * bite; a note is worth knowing. Everything short of ok says how to fix it.
 */
export interface Finding {
  check: string;
  level: 'ok' | 'note' | 'warn' | 'blocker';
  detail: string;
  fix?: string;
}

const MARK: Record<Finding['level'], string> = {
  ok: 'ok',
  note: 'note',
  warn: 'warn',
  blocker: 'BLOCKER',
};

/** `gauntlet doctor [ROOT]`: the engine, the base image, disk, Node, keys, the App's settings. */
export async function doctorCommand(
  args: string[],
  out: (s: string) => void,
  _err: (s: string) => void,
): Promise<number> {
  const { positionals } = parseArgs({ args, allowPositionals: true, options: {} });
  const root = resolve(positionals[0] ?? '.');
  out(`gauntlet doctor: ${root}`);
  const config = await configFindings(root);
  const findings: Finding[] = [
    ...hostFindings(),
    ...(await engineFindings(config.sandbox)),
    ...config.findings,
    ...appFindings([root, process.cwd()]),
  ];
  const width = Math.max(...findings.map((f) => f.check.length));
  for (const f of findings) {
    out(`  ${MARK[f.level].padEnd(7)} ${f.check.padEnd(width)}  ${f.detail}`);
    if (f.fix && f.level !== 'ok') out(`  ${' '.repeat(7)} ${' '.repeat(width)}  fix: ${f.fix}`);
  }
  const blockers = findings.filter((f) => f.level === 'blocker');
  const warnings = findings.filter((f) => f.level === 'warn').length;
  if (blockers.length) {
    const what = [...new Set(blockers.map((f) => f.check))].join(', ');
    const counts = `${blockers.length} blocker(s) (${what}), ${warnings} warning(s)`;
    out(`${counts}: fix them and run gauntlet doctor again`);
    return 1;
  }
  out(`no blockers, ${warnings} warning(s)`);
  return 0;
}
