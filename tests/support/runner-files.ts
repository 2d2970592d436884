import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * The command files a GitHub runner hands a step (event, summary, outputs, state, env, path),
 * fresh and empty in a temp dir, with the event payload written; spread `files` into the env.
 */
export function runnerFiles(payload: object = {}, prefix = 'runner-') {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const files = {
    GITHUB_EVENT_PATH: join(dir, 'event.json'),
    GITHUB_STEP_SUMMARY: join(dir, 'summary.md'),
    GITHUB_OUTPUT: join(dir, 'output'),
    GITHUB_STATE: join(dir, 'state'),
    GITHUB_ENV: join(dir, 'env'),
    GITHUB_PATH: join(dir, 'path'),
  };
  for (const f of Object.values(files)) writeFileSync(f, '');
  writeFileSync(files.GITHUB_EVENT_PATH, JSON.stringify(payload));
  return { dir, files };
}
