import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ConfigError, formatIssue } from '../config/errors.js';
import { loadConfig } from '../config/load.js';
import { loadScript, serveScript } from '../models/scripted.js';
import { toAtif } from '../trajectory/atif.js';
import { DirectoryStore } from '../results/store.js';
import { Redactor } from '../results/redact.js';
import { EXPLORER_HEADER, explorerRows, textTable } from '../report/format.js';
import { renderTrace } from '../report/trace.js';
import { DispatchRefused } from '../pipeline/prepare.js';
import { runSuites } from '../pipeline/run-suite.js';
import { DEFAULT_BASE_IMAGE, ImageError, ImageManager } from '../sandbox/images.js';
import { checkDocker } from '../sandbox/docker.js';
import { gauntletVersion } from '../util/paths.js';
import { jsonText, plainText } from '../util/untrusted-text.js';
import { doctorCommand } from './doctor.js';
import { initCommand } from './init.js';
import { INTERRUPTED, onInterrupt } from './interrupt.js';
import { ledgerCommand } from './ledger-draft.js';
import { progressPrinter } from './progress.js';
import { reportCommand } from './report.js';
import { serveCommand } from './serve.js';
import { viewCommand } from './view.js';
import { ReportError } from '../viewer/html-report.js';
import { ResultsDirMissing } from '../viewer/serve.js';
import { ServeRefused } from '../server/auth.js';
import { suiteSummaryLine } from './suite-summary.js';
import { wantsColor } from './terminal.js';

const HELP = `gauntlet ${'{version}'} — evaluations of AI agents, run like tests

Usage:
  gauntlet init [ROOT] [--agent python|claude-code|codex|http] [--action REF] [--no-workflow]
  gauntlet doctor [ROOT]
  gauntlet run [ROOT] [--suite NAME] [--results DIR] [--concurrency N] [--trials K]
                      [--judge-model MODEL] [--record-cassette FILE | --replay-cassette FILE]
  gauntlet validate [ROOT]
  gauntlet show <run-id> [--root ROOT] [--results DIR] [--json | --atif]
  gauntlet view [RESULTS_DIR] [--root ROOT] [--port N] [--no-open]
  gauntlet report --html FILE [--suite-run ID] [--root ROOT] [--results DIR]
  gauntlet serve [ROOT] [--host HOST] [--port N] [--token-env NAME] [--results DIR]
                        [--max-runs N] [--record-cassette FILE | --replay-cassette FILE]
  gauntlet image build [ROOT] [--agent NAME] [--force]
  gauntlet image ls
  gauntlet ledger draft [ROOT] [--agent NAME] [--model MODEL]
  gauntlet model serve --script FILE [--port N]

ROOT is a repository holding .gauntlet/ (default: the current directory); results are read
from ROOT/.gauntlet/results unless given. view serves the viewer on 127.0.0.1 until Ctrl-C;
report --html writes one self-contained HTML file (the newest suite run by default).
serve answers OpenAI chat completions on 127.0.0.1 (a \`gauntlet\` block launches a runbook run;
without one the request passes through to the model's provider); any other address needs a
bearer token in GAUNTLET_SERVE_TOKEN or --token-env NAME.
Exit status: 0 all gates passed, 1 a gate failed, 2 bad config or usage, 3 infrastructure error,
130 interrupted (Ctrl-C or SIGTERM; what finished is written). doctor exits 1 on a blocker;
init exits 2, writing nothing, when any file it would write exists.`;

// What the CLI prints can hold record, config or error text: it reaches the terminal inert.
const out = (s: string) => process.stdout.write(plainText(s) + '\n');
const err = (s: string) => process.stderr.write(plainText(s) + '\n');

export async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  try {
    switch (cmd) {
      case 'init':
        return await initCommand(rest, out, err);
      case 'doctor':
        return await doctorCommand(rest, out, err);
      case 'run':
        return await run(rest);
      case 'validate':
        return await validate(rest);
      case 'show':
        return await show(rest);
      case 'view':
        return await viewCommand(rest, out, err);
      case 'report':
        return await reportCommand(rest, out, err);
      case 'serve':
        return await serveCommand(rest, out, err);
      case 'image':
        return await image(rest);
      case 'model':
        return await model(rest);
      case 'ledger':
        return await ledgerCommand(rest, out, err);
      case '--version':
      case 'version':
        out(gauntletVersion());
        return 0;
      case undefined:
      case '--help':
      case '-h':
      case 'help':
        out(HELP.replace('{version}', gauntletVersion()));
        return cmd === undefined ? 2 : 0;
      default:
        err(
          `gauntlet: unknown command "${cmd}"\n\n${HELP.replace('{version}', gauntletVersion())}`,
        );
        return 2;
    }
  } catch (e) {
    if (e instanceof ConfigError) {
      err(e.issues.map(formatIssue).join('\n'));
      err(`\n${e.issues.length} config error(s); nothing was run.`);
      return 2;
    }
    if (
      e instanceof DispatchRefused ||
      e instanceof ReportError ||
      e instanceof ResultsDirMissing ||
      e instanceof ServeRefused ||
      (e as { code?: string }).code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' ||
      (e as { code?: string }).code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE'
    ) {
      err(`gauntlet: ${(e as Error).message}`);
      return 2;
    }
    err(`gauntlet: ${(e as Error).message}`);
    if (process.env.GAUNTLET_DEBUG) err(String((e as Error).stack));
    return 3;
  }
}

function int(v: string | undefined, name: string): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1)
    throw Object.assign(
      new Error(`--${name} takes a whole number >= 1, not ${JSON.stringify(v)}`),
      { code: 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' },
    );
  return n;
}

async function run(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      suite: { type: 'string' },
      results: { type: 'string' },
      concurrency: { type: 'string' },
      trials: { type: 'string' },
      'judge-model': { type: 'string' },
      'record-cassette': { type: 'string' },
      'replay-cassette': { type: 'string' },
      'config-dir': { type: 'string' },
    },
  });
  const root = resolve(positionals[0] ?? '.');
  const cassette = values['record-cassette']
    ? { mode: 'record' as const, file: resolve(values['record-cassette']) }
    : values['replay-cassette']
      ? { mode: 'replay' as const, file: resolve(values['replay-cassette']) }
      : undefined;
  const interrupt = onInterrupt(err);
  const results = await runSuites({
    root,
    configDir: values['config-dir'],
    suite: values.suite,
    resultsDir: values.results && resolve(values.results),
    concurrency: int(values.concurrency, 'concurrency'),
    trials: int(values.trials, 'trials'),
    judgeModel: values['judge-model'],
    cassette,
    onEvent: progressPrinter(),
    signal: interrupt.signal,
  }).finally(interrupt.dispose);
  let failed = false;
  for (const { manifest: m, records, dir } of results) {
    out('');
    out(textTable(EXPLORER_HEADER, explorerRows(records)));
    out('');
    out(suiteSummaryLine(m));
    for (const g of m.gates)
      out(
        `  gate ${g.name}: ${g.passed ? 'passed' : 'FAILED'} (threshold ${g.threshold}, actual ${Number(g.actual.toFixed(4))})`,
      );
    out(`  records: ${dir}`);
    out(`  trace:   gauntlet show <run-id>   report: ${join(dir, 'report.md')}`);
    if (!m.gates_passed) failed = true;
  }
  if (interrupt.signal.aborted) {
    err('gauntlet: interrupted; the records above are what finished before it');
    return INTERRUPTED;
  }
  return failed ? 1 : 0;
}

async function validate(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { 'config-dir': { type: 'string' } },
  });
  const tree = await loadConfig(resolve(positionals[0] ?? '.'), {
    configDir: values['config-dir'],
  });
  out(
    `ok: ${tree.agents.size} agent(s), ${tree.suites.size} suite(s), ${tree.scenarios.size} scenario(s) in ${tree.configDir}`,
  );
  return 0;
}

async function show(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      root: { type: 'string' },
      results: { type: 'string' },
      json: { type: 'boolean' },
      atif: { type: 'boolean' },
    },
  });
  const id = positionals[0];
  if (!id)
    throw Object.assign(new Error('usage: gauntlet show <run-id>'), {
      code: 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE',
    });
  const root = resolve(values.root ?? '.');
  const dir = values.results ? resolve(values.results) : join(root, '.gauntlet/results');
  const record = await new DirectoryStore(dir, new Redactor()).findRun(id);
  if (!record) {
    err(`gauntlet: no run ${id} under ${dir} (use --results DIR or --root ROOT)`);
    return 2;
  }
  // JSON parses to the same data (only escapes are added); the trace is inert text plus our colour.
  const json = values.atif ? toAtif(record) : values.json ? record : undefined;
  const color = wantsColor(process.stdout, process.env);
  const text = json ? jsonText(JSON.stringify(json, null, 2)) : renderTrace(record, { color });
  process.stdout.write(`${text}\n`);
  return 0;
}

async function image(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  await checkDocker();
  if (sub === 'ls') {
    const rows = await new ImageManager().list();
    out(
      textTable(
        ['Image', 'State', 'Log'],
        rows.map((r) => [r.tag, r.state.replace('_', ' '), r.log ?? '']),
      ),
    );
    return 0;
  }
  if (sub !== 'build') {
    err('usage: gauntlet image build [ROOT] [--agent NAME] [--force] | gauntlet image ls');
    return 2;
  }
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: { agent: { type: 'string' }, force: { type: 'boolean' } },
  });
  const tree = await loadConfig(resolve(positionals[0] ?? '.'), { checkTasks: false });
  const mgr = new ImageManager(tree.project.value.image ?? DEFAULT_BASE_IMAGE, (l) => err(l));
  await mgr.ensureBase();
  let bad = 0;
  for (const [name, a] of tree.agents) {
    if (values.agent && name !== values.agent) continue;
    try {
      const st = await mgr.build(a.value, { force: values.force });
      out(`${name}: ${st.tag} ready`);
    } catch (e) {
      if (!(e instanceof ImageError)) throw e;
      bad++;
      out(`${name}: ${e.code}: ${e.message}${e.logTail ? `\n${e.logTail}` : ''}`);
    }
  }
  return bad ? 3 : 0;
}

async function model(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  if (sub !== 'serve') {
    err('usage: gauntlet model serve --script FILE [--port N]');
    return 2;
  }
  const { values } = parseArgs({
    args: rest,
    options: { script: { type: 'string' }, port: { type: 'string' } },
  });
  if (!values.script)
    throw Object.assign(new Error('--script FILE is required'), {
      code: 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE',
    });
  const server = await serveScript(loadScript(resolve(values.script)), Number(values.port ?? 0));
  out(
    `scripted model listening on ${server.url} (Anthropic: ${server.url}/v1/messages, OpenAI: ${server.url}/v1/chat/completions)`,
  );
  await new Promise<void>((r) => process.once('SIGINT', r).once('SIGTERM', r));
  await server.close();
  return 0;
}
