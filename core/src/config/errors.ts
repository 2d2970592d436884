import type { SourcePos } from './types.js';

/** One problem in a config file, precise enough to become a PR annotation. */
export interface ConfigIssue extends SourcePos {
  code: string;
  /** Dotted path of the offending field, e.g. `python.source.git.url`. */
  field: string;
  message: string;
  fix?: string;
}

/** A path inside a field as a suffix: `[0].regex`, `.orders[2]`. */
export function pathSuffix(path: readonly (string | number)[]): string {
  return path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${p}`)).join('');
}

export function formatIssue(i: ConfigIssue): string {
  const where = `${i.file}:${i.line}:${i.column}`;
  const field = i.field ? ` ${i.field}:` : '';
  return `${where}: error [${i.code}]${field} ${i.message}${i.fix ? `\n    fix: ${i.fix}` : ''}`;
}

export class ConfigError extends Error {
  constructor(readonly issues: ConfigIssue[]) {
    super(issues.map(formatIssue).join('\n'));
    this.name = 'ConfigError';
  }
}
