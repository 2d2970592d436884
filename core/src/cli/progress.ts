import type { RunEvent } from '../pipeline/run-suite.js';
import { chip, ms } from '../report/format.js';
import { plainLine, plainText } from '../util/untrusted-text.js';

/**
 * Live progress: a redrawn status line on a TTY, one line per finished run otherwise. Names,
 * chips and log messages come from configs and records, so they are printed inert.
 */
export function progressPrinter(stream: NodeJS.WriteStream = process.stderr) {
  const tty = stream.isTTY === true;
  let total = 0;
  let done = 0;
  const running = new Map<string, string>();
  let t0 = Date.now();
  const status = () => {
    if (!tty) return;
    const names = [...running.values()].slice(0, 3).join(', ');
    stream.write(`\r\x1b[2K[${done}/${total}] ${ms(Date.now() - t0)} running: ${names || '-'}`);
  };
  const timer = tty ? setInterval(status, 500) : undefined;
  timer?.unref();
  return (e: RunEvent) => {
    switch (e.type) {
      case 'suite_start':
        total = e.runs;
        done = 0;
        t0 = Date.now();
        stream.write(
          `gauntlet: suite ${plainLine(e.suite)} · ${e.runs} run(s)` +
            ` · concurrency ${e.concurrency} · suite run ${e.suiteRunId}\n`,
        );
        break;
      case 'log':
        if (tty) stream.write('\r\x1b[2K');
        stream.write(`  ${plainText(e.message)}\n`);
        break;
      case 'run_start':
        running.set(e.runId, plainLine(`${e.task}${e.trial > 1 ? `#${e.trial}` : ''}`));
        status();
        break;
      case 'run_end': {
        running.delete(e.record.id);
        done++;
        const r = e.record;
        const mark =
          r.verdict === 'PASS'
            ? '✓'
            : r.status === 'failed'
              ? '✗'
              : r.verdict === 'FAIL'
                ? '✗'
                : r.verdict === 'UNCERTAIN'
                  ? '?'
                  : '·';
        if (tty) stream.write('\r\x1b[2K');
        // A run that did not finish is "errored": "failed" would read as a judged FAIL.
        const state = r.status === 'failed' ? 'errored' : r.status;
        const task = `${r.task_id}${r.trial > 1 ? ` #${r.trial}` : ''}`;
        const why = chip(r) ? ` (${chip(r)})` : '';
        const what = plainLine(`${task} ${r.agent.name} ${state} ${r.verdict}${why}`);
        stream.write(`  ${mark} [${done}/${total}] ${what} ${ms(r.latency_ms)}\n`);
        status();
        break;
      }
      case 'suite_end':
        if (tty) stream.write('\r\x1b[2K');
        if (timer) clearInterval(timer);
        break;
    }
  };
}
