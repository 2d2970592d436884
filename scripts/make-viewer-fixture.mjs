#!/usr/bin/env node
// Regenerates tests/fixtures/viewer-results/, the results directory the viewer's browser tests
// and screenshots stand on, from REAL runs of the example suites (real sandboxes, the scripted
// model, the CLI): `node scripts/make-viewer-fixture.mjs [OUT_DIR]`. Needs a Docker engine (it
// runs scripts/ensure-docker.sh) and about a minute. Offline, like the examples.
//
// What it runs, oldest first (the newest suite run is what the viewer's #/ opens):
//   coding        examples/coding --suite coding --trials 2   diffs, scorer badges, judge cards;
//                                                             two trials per task (run picker)
//   session       examples/coding --suite session             a two-turn Claude Code session
//   support       examples/support (run.sh)                   platform tools over a ledger, calls
//                                                             by source (injected, passthrough,
//                                                             transport error), a ledger
//                                                             violation, a persona conversation
//   conversation  a copy of examples/conversation             scripted and persona users; the
//                                                             copy renames the suite (the example
//                                                             calls it `support`, which would
//                                                             merge two suites in Trends)
//   runbook       examples/runbook                            a markdown mission, an upload,
//                                                             two artifacts from /app/results
//   quickstart    examples/quickstart --trials 2              the Compare base
//   quickstart    a copy whose agent leaves a debug footer    the Compare head: `environment`
//                 ("Traceback ...") on every answer           fails its not_contains check
//
// Only provenance is rewritten afterwards (the CLI records no commit): every suite run gets a
// fixed fake commit on main, the head quickstart run a second commit as a pull request against
// it (so Trends has two points and Compare a base and head), and `host` a fixed name instead of
// this machine's. index.json is then regenerated from the manifests (core's entryOf). The
// per-suite-run extras (report.md, junit.xml) are dropped: the viewer reads only the contract's
// files. The runs' roles (which run is the coding one, the compare pair, ...) are written to
// tests/fixtures/viewer-results.roles.json for the tests, since ids change on every regeneration.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  cpSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const out = resolve(process.argv[2] ?? join(repo, 'tests/fixtures/viewer-results'));
const rolesFile = `${out}.roles.json`;
const work = mkdtempSync(join(tmpdir(), 'viewer-fixture-'));
const results = join(work, 'results');
const say = (m) => process.stderr.write(`make-viewer-fixture: ${m}\n`);
/** A path as printed: relative inside the repository, else absolute. */
const shown = (p) => (p.startsWith(repo) ? relative(repo, p) : p);

/** Runs a command from the repo root; exit 1 is a failed gate (expected for some suites). */
function sh(cmd, args, { gateMayFail = false } = {}) {
  say(`$ ${cmd} ${args.map(shown).join(' ')}`);
  try {
    execFileSync(cmd, args, { cwd: repo, stdio: ['ignore', 'inherit', 'inherit'] });
  } catch (e) {
    if (!(gateMayFail && e.status === 1)) throw e;
    say('(a gate failed, as expected for this suite run)');
  }
}
const gauntlet = (...args) => ['bin/gauntlet.js', 'run', ...args, '--results', results];
/** A copy of an example without its local results, to change one thing in it. */
function copyExample(name, to) {
  const dest = join(work, to);
  cpSync(join(repo, 'examples', name), dest, {
    recursive: true,
    filter: (src) => !src.includes(`${join('.gauntlet', 'results')}`),
  });
  return dest;
}
const suiteRunIds = () => readdirSync(join(results, 'runs')).sort();

sh('bash', ['scripts/ensure-docker.sh']);
sh('npm', ['run', '-s', 'build']);

const order = [];
const ran = (label) => {
  const fresh = suiteRunIds().filter((id) => !order.some((o) => o.id === id));
  if (fresh.length !== 1) throw new Error(`${label}: expected one new suite run, got ${fresh}`);
  order.push({ label, id: fresh[0] });
};

sh('node', gauntlet('examples/coding', '--suite', 'coding', '--trials', '2'));
ran('coding');
sh('node', gauntlet('examples/coding', '--suite', 'session'));
ran('session');
// run.sh starts the carrier endpoint the passthrough tool is bound to; extra args go to `run`.
sh('bash', ['examples/support/run.sh', '--results', results]);
ran('support');
const conversation = copyExample('conversation', 'conversation');
const suiteYaml = join(conversation, '.gauntlet/suites/support.yaml');
writeFileSync(
  suiteYaml,
  readFileSync(suiteYaml, 'utf8').replace(/^name: support$/m, 'name: conversation'),
);
sh('node', gauntlet(conversation));
ran('conversation');
sh('node', gauntlet('examples/runbook'));
ran('runbook');
sh('node', gauntlet('examples/quickstart', '--trials', '2'));
ran('compare-base');
const head = copyExample('quickstart', 'quickstart-head');
const agentPy = join(head, 'agent/main.py');
// The agent's answer line gains a debug footer: only `environment` checks not_contains Traceback.
const ANSWER_END = 'if b["type"] == "text")}';
const patched = readFileSync(agentPy, 'utf8').replace(
  ANSWER_END,
  'if b["type"] == "text") + "\\n\\n[debug] Traceback capture: on"}',
);
if (patched === readFileSync(agentPy, 'utf8')) throw new Error('quickstart agent: patch missed');
writeFileSync(agentPy, patched);
sh('node', gauntlet(head, '--trials', '2'), { gateMayFail: true });
ran('compare-head');

// Provenance: fixed fake commits (Trends plots one point per commit), no host name.
const sha = (s) => createHash('sha1').update(`gauntlet viewer fixture: ${s}`).digest('hex');
const BASE = sha('base');
const HEAD = sha('head');
const provenanceOf = (label) =>
  label === 'compare-head'
    ? { commit: HEAD, ref: 'refs/pull/14/merge', event: 'pull_request', pr: 14, base_sha: BASE }
    : { commit: BASE, ref: 'refs/heads/main', event: 'push' };
const readJson = (p) => JSON.parse(readFileSync(p, 'utf8'));
const writeJson = (p, v) => writeFileSync(p, JSON.stringify(v, null, 2));
for (const { label, id } of order) {
  const dir = join(results, 'runs', id);
  for (const f of readdirSync(dir)) {
    const path = join(dir, f);
    if (f === 'artifacts') continue; // the runs' collected files, kept as the store wrote them
    if (!f.endsWith('.json')) {
      rmSync(path);
      continue;
    }
    const doc = readJson(path);
    doc.provenance = { ...doc.provenance, ...provenanceOf(label), host: 'fixture' };
    writeJson(path, doc);
  }
}
const { entryOf } = await import(join(repo, 'build/core/src/index.js'));
writeJson(join(results, 'index.json'), {
  schema_version: 1,
  updated_at: readJson(join(results, 'runs', order.at(-1).id, 'manifest.json')).finished_at,
  suite_runs: suiteRunIds().map((id) =>
    entryOf(readJson(join(results, 'runs', id, 'manifest.json'))),
  ),
});

// Roles: the runs each kind of test opens, picked by what the records hold.
const records = (id) =>
  readdirSync(join(results, 'runs', id))
    .filter((f) => f !== 'manifest.json' && f.endsWith('.json'))
    .map((f) => readJson(join(results, 'runs', id, f)));
const idOf = (label) => order.find((o) => o.label === label).id;
const pick = (label, test, what) => {
  const r = records(idOf(label)).find(test);
  if (!r) throw new Error(`no ${what} run in the ${label} suite run`);
  return { suite_run_id: r.suite_run_id, run_id: r.id, task_id: r.task_id };
};
const sources = (r) => new Set((r.trajectory.tool_calls ?? []).map((t) => t.source));
const verdicts = (label, task) =>
  records(idOf(label))
    .filter((r) => r.task_id === task)
    .map((r) => r.verdict);
const roles = {
  suite_runs: Object.fromEntries(order.map((o) => [o.label, o.id])),
  coding: pick('coding', (r) => r.diff && r.scorers.length >= 2 && r.verdict === 'PASS', 'coding'),
  coding_failed: pick('coding', (r) => r.diff && r.verdict === 'FAIL', 'failed coding'),
  judge: pick('coding', (r) => r.judge?.reasoning && r.judge.scores, 'judged'),
  tools: pick('support', (r) => sources(r).has('injected') && r.ledger, 'tools (injected call)'),
  tools_violation: pick('support', (r) => r.ledger_violations.length > 0, 'ledger violation'),
  tools_session: pick('support', (r) => r.multi_turn && r.ledger, 'persona session with tools'),
  coding_session: pick('session', (r) => r.multi_turn?.turns_used >= 2 && r.diff, 'session'),
  conversation: pick('conversation', (r) => r.multi_turn?.turns_used >= 3, 'conversation'),
  trials: pick('coding', (r) => r.trial === 2, 'second trial'),
  runbook: pick(
    'runbook',
    (r) => r.seed.runbook && r.artifacts.filter((a) => a.stored).length >= 2,
    'runbook with artifacts',
  ),
  compare: {
    base: idOf('compare-base'),
    head: idOf('compare-head'),
    regressed_task: 'environment',
    base_commit: BASE,
    head_commit: HEAD,
  },
};
const [before, after] = ['compare-base', 'compare-head'].map((l) => verdicts(l, 'environment'));
if (!before.every((v) => v === 'PASS') || !after.every((v) => v === 'FAIL'))
  throw new Error(`compare pair: environment went ${before} -> ${after}, not PASS -> FAIL`);

rmSync(out, { recursive: true, force: true });
cpSync(results, out, { recursive: true });
writeFileSync(rolesFile, JSON.stringify(roles, null, 2) + '\n');
rmSync(work, { recursive: true, force: true });
const bytes = (d) =>
  readdirSync(d, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile())
    .reduce((n, e) => n + readFileSync(join(e.parentPath ?? e.path, e.name)).length, 0);
say(`wrote ${shown(out)} (${(bytes(out) / 1024).toFixed(0)} KB) and ${shown(rolesFile)}`);
for (const o of order) say(`  ${o.label.padEnd(13)} ${o.id}`);
if (!existsSync(join(out, 'index.json'))) throw new Error('no index.json written');
