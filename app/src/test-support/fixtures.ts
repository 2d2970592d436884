import { generateKeyPairSync } from 'node:crypto';
import { createRequire } from 'node:module';
import nock from 'nock';
import { Probot, ProbotOctokit } from 'probot';
import {
  summarise,
  type BranchIndex,
  type IndexEntry,
  type Provenance,
  type RunRecord,
  type SuiteManifest,
} from '../../../core/src/index.js';
// A store internal the fixtures need to build branch indexes by hand.
import { entryOf } from '../../../core/src/results/suite-index.js';
import { gauntletApp } from '../index.js';

/** Real webhook payloads from @octokit/webhooks-examples, adapted per test. */
const examples = createRequire(import.meta.url)(
  '@octokit/webhooks-examples/api.github.com/index.json',
) as { name: string; examples: Record<string, any>[] }[];

export function example(name: string, action: string, nth = 0): any {
  const all = examples.find((e) => e.name === name)!.examples.filter((x) => x.action === action);
  return structuredClone(all[nth]);
}

export const INSTALLATION = 4242;
export const API = 'https://api.github.com';
export const BOT = 'gauntlet-ci[bot]';

const { privateKey } = generateKeyPairSync('rsa', {
  modulusLength: 2048,
  privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
  publicKeyEncoding: { type: 'spki', format: 'pem' },
});

/** A Probot with the App loaded (or not, when the caller loads it). */
export async function loadApp(
  secret = 'webhook-secret',
  opts: { load?: boolean; log?: unknown; settings?: { rerunConfirm?: number } } = {},
) {
  const Octokit = ProbotOctokit.defaults({
    retry: { enabled: false },
    throttle: { enabled: false },
  });
  // `log`: a captureLog() logger, when a test asserts on what reaches the log.
  const log = opts.log ? { log: opts.log as any } : {};
  const probot = new Probot({ appId: 123, privateKey, secret, Octokit, logLevel: 'warn', ...log });
  const { appFn, state } = gauntletApp({
    resultsBranch: 'gauntlet-results',
    serverUrl: 'https://github.com',
    ...opts.settings,
  });
  if (opts.load !== false) await probot.load(appFn);
  return { probot, appFn, state };
}

/** The installation token exchange and the App's own identity, as GitHub answers them. */
export function authScope() {
  return nock(API)
    .persist()
    .post(`/app/installations/${INSTALLATION}/access_tokens`)
    .reply(201, {
      token: 'ghs_installation_token',
      expires_at: '2099-01-01T00:00:00Z',
      permissions: { checks: 'write' },
    })
    .get('/app')
    .reply(200, { id: 123, slug: 'gauntlet-ci' });
}

/** octokit sends {path} URL-encoded (slashes as %2F), as GitHub accepts it. */
const contents = (repo: string, path: string) =>
  `/repos/${repo}/contents/${encodeURIComponent(path)}`;

/** A results branch served through the contents API: index.json and each suite run's files. */
export function resultsBranch(
  repo: string,
  suiteRuns: { manifest: SuiteManifest; records: RunRecord[] }[],
) {
  const index: BranchIndex = {
    schema_version: 1,
    updated_at: '2026-11-23T00:00:00Z',
    suite_runs: suiteRuns.map((s) => entryOf(s.manifest)) as IndexEntry[],
  };
  const scope = nock(API)
    .persist()
    .get(`/repos/${repo}/contents/index.json`)
    .query({ ref: 'gauntlet-results' })
    .reply(200, JSON.stringify(index));
  for (const s of suiteRuns) {
    scope
      .get(contents(repo, `runs/${s.manifest.id}/manifest.json`))
      .query({ ref: 'gauntlet-results' })
      .reply(200, JSON.stringify(s.manifest));
    for (const r of s.records)
      scope
        .get(contents(repo, `runs/${s.manifest.id}/${r.id}.json`))
        .query({ ref: 'gauntlet-results' })
        .reply(200, JSON.stringify(r));
  }
  return scope;
}

export function suiteRun(
  id: string,
  records: RunRecord[],
  prov: Partial<Provenance>,
  at = '2026-11-23T00:00:00Z',
  gates = { min_pass_rate: 0.8 },
) {
  const withIds = records.map((r) => ({ ...r, suite_run_id: id, id: `${id}-${r.id}` }));
  return {
    manifest: summarise(id, 'smoke', withIds, 1, gates, Date.parse(at), {
      gauntlet_version: '0',
      config_hash: 'x',
      host: 'h',
      ...prov,
    }),
    records: withIds,
  };
}
