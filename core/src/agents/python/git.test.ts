import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cloneAgentCode } from './git.js';

const TOKEN = 'ghp_testtoken_0123456789abcdef';
const work = mkdtempSync(join(tmpdir(), 'gitsrv-'));
let url = '';
let server: ReturnType<typeof createServer>;

/** A real HTTPS smart-git server on loopback: git http-backend behind Node's https, token-checked. */
beforeAll(async () => {
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '1',
      '-subj',
      '/CN=127.0.0.1',
      '-addext',
      'subjectAltName=IP:127.0.0.1',
      '-keyout',
      join(work, 'key.pem'),
      '-out',
      join(work, 'cert.pem'),
    ],
    { stdio: 'ignore' },
  );
  const src = join(work, 'src');
  const git = (args: string[], cwd = src) =>
    execFileSync('git', ['-c', 'user.email=t@t', '-c', 'user.name=t', ...args], {
      cwd,
      stdio: 'ignore',
    });
  execFileSync('mkdir', ['-p', src]);
  git(['init', '-q', '-b', 'main']);
  writeFileSync(join(src, 'main.py'), 'def run(t, *, proxy_url, run_token):\n    return "v1"\n');
  git(['add', '.']);
  git(['commit', '-qm', 'v1']);
  git(['tag', 'v1']);
  writeFileSync(join(src, 'main.py'), 'def run(t, *, proxy_url, run_token):\n    return "v2"\n');
  git(['commit', '-qam', 'v2']);
  git(['clone', '-q', '--bare', src, join(work, 'agent.git')], work);
  const auth = `Basic ${Buffer.from(`x-access-token:${TOKEN}`).toString('base64')}`;
  server = createServer(
    { key: readFileSync(join(work, 'key.pem')), cert: readFileSync(join(work, 'cert.pem')) },
    (req, res) => {
      if (req.headers.authorization !== auth)
        return void res.writeHead(401, { 'www-authenticate': 'Basic realm="git"' }).end();
      const u = new URL(req.url!, 'https://x');
      const cgi = spawn('git', ['http-backend'], {
        env: {
          GIT_PROJECT_ROOT: work,
          GIT_HTTP_EXPORT_ALL: '1',
          PATH_INFO: u.pathname,
          QUERY_STRING: u.search.slice(1),
          REQUEST_METHOD: req.method!,
          CONTENT_TYPE: req.headers['content-type'] ?? '',
          PATH: process.env.PATH,
        },
      });
      req.pipe(cgi.stdin);
      let head = Buffer.alloc(0);
      let sent = false;
      cgi.stdout.on('data', (d: Buffer) => {
        if (sent) return void res.write(d);
        head = Buffer.concat([head, d]);
        const i = head.indexOf('\r\n\r\n');
        if (i < 0) return;
        const headers: Record<string, string> = {};
        let status = 200;
        for (const line of head.subarray(0, i).toString().split('\r\n')) {
          const [k, ...v] = line.split(': ');
          if (k.toLowerCase() === 'status') status = Number(v.join(': ').split(' ')[0]);
          else headers[k] = v.join(': ');
        }
        res.writeHead(status, headers);
        res.write(head.subarray(i + 4));
        sent = true;
      });
      cgi.on('close', () => res.end());
    },
  );
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `https://127.0.0.1:${(server.address() as AddressInfo).port}/agent.git`;
  process.env.GIT_SSL_CAINFO = join(work, 'cert.pem');
});
afterAll(() => server?.close());

const dest = () => join(mkdtempSync(join(tmpdir(), 'clone-')), 'repo');

describe('git agent source over real HTTPS', () => {
  it('clones the exact ref with the token, drops the repository metadata', async () => {
    const d = dest();
    const { commit } = await cloneAgentCode({
      url,
      ref: 'v1',
      token: TOKEN,
      dest: d,
      allowHosts: ['127.0.0.1'],
    });
    expect(commit).toMatch(/^[0-9a-f]{40}$/);
    expect(readFileSync(join(d, 'main.py'), 'utf8')).toContain('"v1"');
    expect(existsSync(join(d, '.git'))).toBe(false);
  });

  it('is strict about refs', async () => {
    await expect(
      cloneAgentCode({
        url,
        ref: 'no-such-tag',
        token: TOKEN,
        dest: dest(),
        allowHosts: ['127.0.0.1'],
      }),
    ).rejects.toThrow(/does not exist.*strict/);
  });

  it('fails on a wrong token without ever printing it', async () => {
    const wrong = 'ghp_wrong_token_value_987654321';
    const err = await cloneAgentCode({
      url,
      token: wrong,
      dest: dest(),
      allowHosts: ['127.0.0.1'],
    }).catch((e: Error) => e);
    expect(err).toBeInstanceOf(Error);
    expect(String((err as Error).message)).not.toContain(wrong);
    expect(String((err as Error).message)).not.toContain(
      Buffer.from(`x-access-token:${wrong}`).toString('base64'),
    );
  });

  it('refuses the same loopback server when it is not explicitly allowed', async () => {
    await expect(cloneAgentCode({ url, token: TOKEN, dest: dest() })).rejects.toThrow(/loopback/);
  });
});

describe('workspace seeds over git', () => {
  it('fall back to the default branch on a missing ref and say so, where agent code would refuse', async () => {
    const dest = join(mkdtempSync(join(tmpdir(), 'ws-')), 'repo');
    const r = await cloneAgentCode({
      url,
      ref: 'no-such-branch',
      token: TOKEN,
      dest,
      allowHosts: ['127.0.0.1'],
      refFallback: true,
    });
    expect(r.fellBack).toBe(true);
    expect(readFileSync(join(dest, 'main.py'), 'utf8')).toContain('"v2"');
    const exact = await cloneAgentCode({
      url,
      ref: 'v1',
      token: TOKEN,
      dest: join(mkdtempSync(join(tmpdir(), 'ws-')), 'repo'),
      allowHosts: ['127.0.0.1'],
      refFallback: true,
    });
    expect(exact.fellBack).toBe(false);
  });
});
