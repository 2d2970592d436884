import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { pack } from 'tar-stream';
import { afterEach, describe, expect, it } from 'vitest';
import { Redactor } from '../results/redact.js';
import type { Sandbox } from '../sandbox/driver.js';
import { FakeDriver } from '../sandbox/fake.js';
import { artifactCaps, artifactPath, collectArtifacts } from './artifacts.js';

const sha = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');
const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 1, 2, 0xff, 0xfe]);

let open: Sandbox[] = [];
afterEach(async () => {
  await Promise.all(open.map((s) => s.destroy()));
  open = [];
});

/** A fake sandbox (a host temp root) where `script` ran in /app. */
async function sandboxWith(script: string): Promise<Sandbox> {
  const sb = await new FakeDriver().create({
    image: 'none',
    runId: `art-${process.pid}`,
    mounts: [],
    limits: { memoryMb: 256, cpus: 1, pidsLimit: 64 },
  });
  open.push(sb);
  const mk = await sb.exec(['sh', '-c', `mkdir -p app && cd app && ${script}`], { cwd: '/' });
  expect(mk.stderr).toBe('');
  return sb;
}

/** A sandbox whose archive endpoint answers with a tar built here, names and all. */
function craftedSandbox(members: { name: string; data?: Buffer; type?: 'symlink'; to?: string }[]) {
  return {
    async getFiles() {
      const p = pack();
      for (const m of members)
        if (m.type === 'symlink')
          p.entry({ name: m.name, type: 'symlink', linkname: m.to ?? '/etc/passwd' });
        else p.entry({ name: m.name }, m.data ?? Buffer.from('x'));
      p.finalize();
      return Readable.from(p as unknown as Readable);
    },
  } as unknown as Sandbox;
}

describe('collectArtifacts', () => {
  it('reads the files under /app/results with size, sha256, type; binaries byte-exact', async () => {
    const sb = await sandboxWith(
      `mkdir -p results/charts && printf '# Report\\n' > results/report.md && ` +
        `printf '{"total":3}' > results/summary.json && printf 'plain' > results/NOTES`,
    );
    await sb.putFiles('/app/results/charts', tarOf('plot.png', PNG));
    const got = await collectArtifacts(sb);
    expect(got.error).toBeUndefined();
    const byPath = Object.fromEntries(got.entries.map((e) => [e.path, e]));
    expect(Object.keys(byPath).sort()).toEqual([
      'NOTES',
      'charts/plot.png',
      'report.md',
      'summary.json',
    ]);
    expect(byPath['summary.json']).toEqual({
      path: 'summary.json',
      size: 11,
      sha256: sha('{"total":3}'),
      content_type: 'application/json',
      stored: true,
    });
    expect(byPath['report.md'].content_type).toBe('text/markdown');
    expect(byPath['NOTES'].content_type).toBe('text/plain');
    expect(byPath['charts/plot.png']).toMatchObject({
      content_type: 'image/png',
      sha256: sha(PNG),
    });
    expect(got.files.get('charts/plot.png')!.equals(PNG)).toBe(true);
    expect(got.warnings).toEqual([]);
  });

  it('a run without /app/results has no artifacts and no error', async () => {
    const sb = await sandboxWith('true');
    expect(await collectArtifacts(sb)).toEqual({ entries: [], files: new Map(), warnings: [] });
  });

  it('never follows a symlink: one to /etc/passwd or out of the folder is listed, not read', async () => {
    const sb = await sandboxWith(
      'mkdir -p results && ln -s /etc/passwd results/passwd && ln -s ../secret.txt results/up && ' +
        'echo root-only > secret.txt && echo ok > results/ok.txt',
    );
    const got = await collectArtifacts(sb);
    const link = got.entries.find((e) => e.path === 'passwd')!;
    expect(link).toMatchObject({ stored: false, size: 0, sha256: '' });
    expect(link.note).toMatch(/symbolic link \(to \/etc\/passwd\), not followed/);
    expect(got.entries.find((e) => e.path === 'up')!.note).toMatch(/to \.\.\/secret\.txt/);
    expect([...got.files.keys()]).toEqual(['ok.txt']);
    expect(got.warnings.join(' ')).toMatch(/2 entries .* not a regular file/);
  });

  it('a results folder that is itself a link is not followed', async () => {
    const sb = await sandboxWith('mkdir -p /tmp/x && ln -s /etc results');
    const got = await collectArtifacts(sb);
    expect(got.entries).toEqual([]);
    expect(got.warnings[0]).toMatch(/is a symbolic link \(to \/etc\), not a folder/);
  });

  it('refuses a file over the per-file cap (hashed as it drains) and past the total cap', async () => {
    const sb = await sandboxWith(
      'mkdir -p results && head -c 3000000 /dev/zero > results/big.bin && ' +
        'head -c 600000 /dev/zero > results/a.bin && head -c 600000 /dev/zero > results/b.bin',
    );
    const got = await collectArtifacts(sb, {
      caps: artifactCaps({ max_file_mb: 1, max_total_mb: 1 }),
    });
    const big = got.entries.find((e) => e.path === 'big.bin')!;
    expect(big).toMatchObject({ size: 3_000_000, stored: false, sha256: sha(Buffer.alloc(3e6)) });
    expect(big.note).toMatch(/over the 1 MB cap a file/);
    const stored = got.entries.filter((e) => e.stored).map((e) => e.path);
    expect(stored).toHaveLength(1);
    const other = got.entries.find((e) => e.path !== 'big.bin' && !e.stored)!;
    expect(other.note).toMatch(/over the run's 1 MB cap of all artifacts/);
    expect(got.warnings.join('\n')).toMatch(/1 artifact\(s\) over the 1 MB cap a file/);
    expect([...got.files.values()].reduce((n, b) => n + b.length, 0)).toBe(600_000);
  });

  it('stops reading past the count cap (a flood of tiny files)', async () => {
    const sb = await sandboxWith('mkdir -p results && cd results && seq 1 3000 | xargs touch');
    const t0 = Date.now();
    const got = await collectArtifacts(sb, { caps: artifactCaps({ max_files: 50 }) });
    expect(got.entries).toHaveLength(50);
    expect(got.warnings[0]).toMatch(/more than 50 files: the first 50 are listed/);
    expect(Date.now() - t0).toBeLessThan(5000);
  });

  it('lists hostile names escaped and never stores them: traversal, control characters', async () => {
    const got = await collectArtifacts(
      craftedSandbox([
        { name: 'results/../../etc/cron.d/x' },
        { name: '../outside' },
        { name: 'results/bell\u0007\nname.txt' },
        { name: 'results/a\\..\\b' },
        { name: 'results/fine.txt' },
        { name: 'results/link', type: 'symlink', to: '/etc/shadow' },
      ]),
    );
    expect(got.entries.map((e) => [e.path, e.stored])).toEqual([
      ['_/_/etc/cron.d/x', false],
      ['../outside'.replace('..', '_'), false],
      ['bell\\u0007\\nname.txt', false],
      ['a\\\\..\\\\b', false],
      ['fine.txt', true],
      ['link', false],
    ]);
    for (const e of got.entries.slice(0, 4)) expect(e.note).toMatch(/^its name .*: not stored$/);
    expect([...got.files.keys()]).toEqual(['fine.txt']);
  });

  it('redacts secrets in text (noted) and refuses a binary holding one', async () => {
    const secret = 'sk-live-0123456789abcdef';
    const r = new Redactor([secret]);
    const bin = Buffer.concat([PNG, Buffer.from(secret), Buffer.from([0, 0xff])]);
    const got = await collectArtifacts(
      craftedSandbox([
        { name: 'results/log.txt', data: Buffer.from(`key=${secret}\n`) },
        { name: 'results/shot.png', data: bin },
        { name: `results/${secret}.txt`, data: Buffer.from('hi') },
        { name: 'results/clean.png', data: PNG },
      ]),
      { redactor: r },
    );
    const [log, shot, named, clean] = got.entries;
    expect(log).toMatchObject({ stored: true, note: 'redacted', sha256: sha(`key=${secret}\n`) });
    expect(got.files.get('log.txt')!.toString()).toBe('key=***\n');
    expect(shot).toMatchObject({ stored: false, content_type: 'image/png' });
    expect(shot.note).toMatch(/binary file holding a secret value/);
    expect(named).toMatchObject({
      stored: false,
      note: 'its name holds a secret value: not stored',
    });
    expect(clean).toMatchObject({ stored: true });
    expect(got.files.get('clean.png')!.equals(PNG)).toBe(true);
  });

  it('a read that fails part-way keeps what was read and says why', async () => {
    const sb = {
      async getFiles() {
        const p = pack();
        p.entry({ name: 'results/a.txt' }, 'a');
        p.entry({ name: 'results/b.txt', size: 1000 }).write('short');
        return Readable.from(
          (async function* () {
            for await (const c of p as unknown as Readable) {
              yield c;
              break;
            }
            throw new Error('connection reset');
          })(),
        );
      },
    } as unknown as Sandbox;
    const got = await collectArtifacts(sb);
    expect(got.error).toMatch(/connection reset|reading \/app\/results failed/);
  });
});

describe('artifactPath', () => {
  it('keeps plain relative paths and refuses the rest', () => {
    expect(artifactPath('results/a/b.txt')).toEqual({ path: 'a/b.txt' });
    expect(artifactPath('results/')).toBeNull();
    expect(artifactPath('results/a/./b')?.unsafe).toMatch(/not a plain relative path/);
    expect(artifactPath(`results/${'a'.repeat(1100)}`)?.unsafe).toMatch(/over 1024/);
  });
});

function tarOf(name: string, data: Buffer): Readable {
  const p = pack();
  p.entry({ name, uid: 1000, gid: 1000 }, data);
  p.finalize();
  return p as unknown as Readable;
}
