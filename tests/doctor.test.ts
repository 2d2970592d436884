import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { dockerReady } from '../core/src/test-support/docker.js';
import { makeTree, pythonAgent, suite } from '../core/src/test-support/tree.js';
import { packageRoot } from '../core/src/util/paths.js';

const BIN = join(packageRoot(), 'bin', 'gauntlet.js');
const DEAD = { DOCKER_HOST: 'unix:///nonexistent/gauntlet-test/docker.sock' };

/** The doctor, with no provider keys in its environment unless a test gives them. */
function doctor(args: string[], env: Record<string, string> = {}, cwd?: string) {
  const base = { ...process.env, FORCE_COLOR: '0' } as Record<string, string | undefined>;
  for (const k of ['ANTHROPIC_API_KEY', 'OPENAI_API_KEY', 'GEMINI_API_KEY', 'DOCKER_HOST']) {
    delete base[k];
  }
  const opts = { cwd, encoding: 'utf8' as const, env: { ...base, ...env } };
  const r = spawnSync('node', [BIN, 'doctor', ...args], opts);
  return { status: r.status, out: r.stdout + r.stderr };
}

/** The line of one finding (and its fix line, if any). */
const finding = (out: string, level: string, check: string) =>
  new RegExp(`^  ${level}\\s+${check}\\s+(.*)(?:\\n\\s+fix: (.*))?`, 'm').exec(out);

describe('gauntlet doctor', () => {
  it('names the dead DOCKER_HOST, says how to fix it, and exits 1', () => {
    const r = doctor([mkdtempSync(join(tmpdir(), 'doctor-'))], DEAD);
    expect(r.status).toBe(1);
    const f = finding(r.out, 'BLOCKER', 'docker');
    expect(f?.[1]).toContain(`no Docker engine answers at DOCKER_HOST=${DEAD.DOCKER_HOST}`);
    expect(f?.[2]).toMatch(/start the engine DOCKER_HOST points at.*unset DOCKER_HOST to use the/);
    expect(r.out).toMatch(/1 blocker\(s\) \(docker\)/);
  });

  it('says the same of a TCP engine that refuses the connection', () => {
    const cwd = mkdtempSync(join(tmpdir(), 'doctor-'));
    const r = doctor([], { DOCKER_HOST: 'tcp://127.0.0.1:1' }, cwd);
    expect(r.status).toBe(1);
    const f = finding(r.out, 'BLOCKER', 'docker');
    expect(f?.[1]).toMatch(/DOCKER_HOST=tcp:\/\/127\.0\.0\.1:1 \(.*ECONNREFUSED/);
  });

  it('lists the provider keys and secrets the config needs, by name, never values', async () => {
    const root = await makeTree({
      '.gauntlet/gauntlet.yaml': 'judge_model: claude-sonnet-4-6\n',
      ...pythonAgent('a', 'def run(t, **k): return "x"', 'env:\n  TOKEN: { secret: MY_TOKEN }\n'),
      ...suite('s', 'a', ['hi']),
    });
    const missing = doctor([root], DEAD);
    expect(missing.status).toBe(1);
    const key = finding(missing.out, 'BLOCKER', 'models');
    expect(key?.[1]).toBe('ANTHROPIC_API_KEY is not set; anthropic serves the judge of suite s');
    expect(key?.[2]).toContain('anthropic-api-key');
    const secret = finding(missing.out, 'BLOCKER', 'secrets');
    expect(secret?.[1]).toMatch(/^MY_TOKEN is not set \(agent a\.env\.TOKEN\)/);
    const values = { ANTHROPIC_API_KEY: 'sk-ant-do-not-print-me', MY_TOKEN: 'tok-do-not-print-me' };
    const set = doctor([root], { ...DEAD, ...values });
    const ok = 'ANTHROPIC_API_KEY is set (anthropic: the judge of suite s)';
    expect(finding(set.out, 'ok', 'models')?.[1]).toBe(ok);
    expect(finding(set.out, 'ok', 'secrets')?.[1]).toBe('MY_TOKEN is set (agent a.env.TOKEN)');
    expect(set.out).not.toMatch(/do-not-print-me/);
  });

  it('sends config errors to gauntlet validate', async () => {
    const root = await makeTree({ '.gauntlet/agents/a.yaml': 'kind: agent\nname: a\npyhton: 1\n' });
    const r = doctor([root], DEAD);
    const f = finding(r.out, 'BLOCKER', 'config');
    expect(f?.[1]).toMatch(/^2 config error\(s\), the first: .*agents\/a\.yaml:1: declare exactly/);
    expect(f?.[2]).toMatch(/^gauntlet validate .* lists each with its fix/);
  });

  it("checks the App's settings when run in its folder, by name only", () => {
    const app = mkdtempSync(join(tmpdir(), 'doctor-app-'));
    writeFileSync(join(app, 'app.yml'), 'name: gauntlet\n');
    const settings = 'APP_ID=12345\nWEBHOOK_SECRET="hook-do-not-print"\nPRIVATE_KEY_PATH=key.pem\n';
    writeFileSync(join(app, '.env'), settings);
    let r = doctor([], DEAD, app);
    expect(finding(r.out, 'ok', 'app')?.[1]).toBe('APP_ID is set');
    expect(finding(r.out, 'BLOCKER', 'app')?.[1]).toBe('PRIVATE_KEY_PATH names no readable file');
    expect(r.out).toMatch(/^  ok\s+app\s+WEBHOOK_SECRET is set$/m);
    const pem = '-----BEGIN RSA PRIVATE KEY-----\nMIIE-do-not-print\n-----END RSA PRIVATE KEY-----';
    writeFileSync(join(app, 'key.pem'), pem);
    r = doctor([], DEAD, app);
    expect(r.out).toMatch(/^  ok\s+app\s+PRIVATE_KEY_PATH is set and names a private key$/m);
    expect(r.out).not.toMatch(/do-not-print/);
    const unregistered = mkdtempSync(join(tmpdir(), 'doctor-app-'));
    writeFileSync(join(unregistered, 'app.yml'), 'name: gauntlet\n');
    expect(doctor([], DEAD, unregistered).out).toMatch(
      /^  warn\s+app\s+no APP_ID .*registered yet\n\s+fix: npm run app without APP_ID/m,
    );
  });

  const engineReady = dockerReady();
  it.skipIf(!engineReady)('reports the engine, its storage driver, the base image, disk', () => {
    const r = doctor([join(packageRoot(), 'examples/quickstart')]);
    expect(r.status, r.out).toBe(0);
    expect(finding(r.out, 'ok', 'docker')?.[1]).toMatch(
      /^Docker \S+ \(API [\d.]+, linux\/\w+\) at unix:\/\/\/var\/run\/docker\.sock; /,
    );
    expect(finding(r.out, 'ok', 'base image')?.[1]).toMatch(/^gauntlet-base:latest, version \d+/);
    const budget = /^ {2}(ok|note)\s+disk budget\s+sandbox\.disk_mb \(2048 MB a sandbox\) is /m;
    expect(r.out).toMatch(budget);
    expect(finding(r.out, 'ok', 'free disk')?.[1]).toMatch(/GB free/);
    expect(finding(r.out, 'ok', 'models')?.[1]).toContain(
      'the scripted model (models/scripted.yaml) serves the judge of suite quickstart',
    );
    expect(r.out).toMatch(/no blockers/);
  });
});
