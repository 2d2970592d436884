/**
 * A logger that records every line, in Probot's logger shape, so a test can assert on what
 * would reach the log. Errors are written as pino's serializer writes them: message, stack,
 * the inner errors of an AggregateError, and every enumerable property (where a payload that
 * rides on an error would show).
 */
export function captureLog() {
  const lines: string[] = [];
  const asLogged = (_k: string, v: unknown): unknown => {
    if (!(v instanceof Error)) return v;
    const inner = v instanceof AggregateError ? { aggregateErrors: v.errors } : {};
    return { ...v, type: v.name, message: v.message, stack: v.stack, ...inner };
  };
  const make = (bindings: Record<string, unknown>): any => {
    const at =
      (level: string) =>
      (...args: unknown[]) => {
        lines.push(JSON.stringify({ level, ...bindings, args }, asLogged));
      };
    const levels = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'];
    const log: any = Object.fromEntries(levels.map((l) => [l, at(l)]));
    return Object.assign(log, {
      level: 'trace',
      silent: () => undefined,
      isLevelEnabled: () => true,
      child: (b: Record<string, unknown>) => make({ ...bindings, ...b }),
    });
  };
  return { log: make({}), lines, text: () => lines.join('\n') };
}
