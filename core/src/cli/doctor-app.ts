import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import type { Finding } from './doctor.js';

/** The App's folder: it holds the manifest Probot registers (app.yml). */
const isAppDir = (dir: string) => existsSync(join(dir, 'app.yml'));

const KEY_FIX = "download a private key on the App's settings page; point PRIVATE_KEY_PATH at it";

/** KEY=VALUE lines of a dotenv file (what Probot reads); values are only tested, never shown. */
function dotenv(file: string): Record<string, string> {
  if (!existsSync(file)) return {};
  const out: Record<string, string> = {};
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const m = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*?)\s*$/.exec(line);
    if (m) out[m[1]] = m[2].replace(/^(['"])([\s\S]*)\1$/, '$2');
  }
  return out;
}

function readable(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

/**
 * The App's settings, when doctor runs in (or on) the App's folder: what Probot needs to start
 * (APP_ID, a private key, the webhook secret), by name only. The environment wins over .env,
 * as it does for Probot.
 */
export function appFindings(
  dirs: string[],
  env: NodeJS.ProcessEnv = process.env,
  node = process.versions.node,
): Finding[] {
  const dir = dirs.find(isAppDir);
  if (!dir) return [];
  const fromEnv = Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined);
  const settings: Record<string, string> = {
    ...dotenv(join(dir, '.env')),
    ...Object.fromEntries(fromEnv),
  };
  const out: Finding[] = [];
  const app = (level: Finding['level'], detail: string, fix?: string) =>
    out.push({ check: 'app', level, detail, fix });
  if (Number(node.split('.')[0]) < 22) {
    const why = `Node ${node}: one of Octokit's dependencies declares Node >= 22`;
    app('warn', why, 'run the App on Node 22 or later');
  }
  if (!settings.APP_ID) {
    const where = `${join(dir, '.env')} or the environment`;
    app(
      'warn',
      `no APP_ID in ${where}: the App is not registered yet`,
      "npm run app without APP_ID opens Probot's setup page: it registers app.yml, writes .env",
    );
    return out;
  }
  if (/^\d+$/.test(settings.APP_ID)) app('ok', 'APP_ID is set');
  else app('blocker', 'APP_ID is not a number', "copy the App ID from the App's settings page");
  if (settings.PRIVATE_KEY) {
    if (settings.PRIVATE_KEY.includes('PRIVATE KEY')) app('ok', 'PRIVATE_KEY is set');
    else app('blocker', 'PRIVATE_KEY is not a PEM private key', 'paste the whole .pem file');
  } else if (settings.PRIVATE_KEY_PATH) {
    const path = settings.PRIVATE_KEY_PATH;
    const pem = readable(isAbsolute(path) ? path : join(dir, path));
    if (pem.includes('PRIVATE KEY')) app('ok', 'PRIVATE_KEY_PATH is set and names a private key');
    else {
      const what = pem ? 'a file that is not a PEM private key' : 'no readable file';
      app('blocker', `PRIVATE_KEY_PATH names ${what}`, KEY_FIX);
    }
  } else {
    app('blocker', 'neither PRIVATE_KEY nor PRIVATE_KEY_PATH is set', KEY_FIX);
  }
  if (settings.WEBHOOK_SECRET) app('ok', 'WEBHOOK_SECRET is set');
  else {
    const fix = "set it to the webhook secret in the App's settings";
    app('blocker', 'WEBHOOK_SECRET is not set: webhook signatures cannot be checked', fix);
  }
  if (settings.WEBHOOK_PROXY_URL) {
    app('note', 'WEBHOOK_PROXY_URL is set: webhooks come through a smee.io channel (development)');
  }
  const branch = settings.GAUNTLET_RESULTS_BRANCH
    ? 'set by GAUNTLET_RESULTS_BRANCH'
    : 'gauntlet-results (the default)';
  const ghe = settings.GHE_HOST ? '; GHE_HOST is set (GitHub Enterprise Server)' : '';
  app('note', `results branch ${branch}${ghe}`);
  return out;
}
