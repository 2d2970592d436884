import { spawn, spawnSync } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, type Readable } from 'node:stream';
import { expect, it } from 'vitest';
import type { SandboxDriver, SandboxSpec } from './driver.js';
import { readSandboxFile, readSandboxText, writeSandboxFiles } from './files.js';

/** A tar stream of one host file, made by the system tar (as a caller would hand one in). */
async function tarOf(name: string, text: string): Promise<Readable> {
  const dir = await mkdtemp(join(tmpdir(), 'conf-'));
  await writeFile(join(dir, name), text);
  return spawn('tar', ['-c', '-C', dir, name], { stdio: ['ignore', 'pipe', 'ignore'] }).stdout!;
}

/** Unpacks a whole tar stream on the host; a bad archive fails with tar's own words. */
async function untar(stream: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(Buffer.from(c as Buffer));
  const dir = await mkdtemp(join(tmpdir(), 'conf-out-'));
  const r = spawnSync('tar', ['-x', '-C', dir], { input: Buffer.concat(chunks) });
  if (r.status !== 0) throw new Error(`tar -x: ${r.stderr}`);
  return dir;
}

/**
 * What every sandbox driver must do, run against the real Docker driver and the fake alike:
 * a sandbox outlives its execs, a timed-out exec takes its processes and leaves the sandbox,
 * files go in and out as tar streams, and destroy ends it.
 */
export function sandboxConformance(
  makeDriver: () => SandboxDriver,
  spec: Omit<SandboxSpec, 'runId'>,
) {
  const open = (tag: string) =>
    makeDriver().create({ ...spec, runId: `conf-${tag}-${process.pid}-${Date.now()}` });

  it('runs execs with their env, and reports output and exit status', async () => {
    const sb = await open('exec');
    try {
      const r = await sb.exec(['sh', '-c', 'echo "$GREETING"; echo oops >&2; exit 3'], {
        env: { GREETING: 'hello' },
      });
      expect(r).toMatchObject({
        exitCode: 3,
        stdout: 'hello\n',
        stderr: 'oops\n',
        timedOut: false,
      });
    } finally {
      await sb.destroy();
    }
  });

  it('a timed-out exec loses its processes, background ones too; the sandbox and its files stay', async () => {
    const sb = await open('timeout');
    try {
      const r = await sb.exec(
        ['sh', '-c', 'echo kept > left.txt; sleep 300 & echo $! > bg.pid; sleep 300'],
        { cwd: '/tmp', timeoutMs: 800 },
      );
      expect(r.timedOut).toBe(true);
      const after = await sb.exec(
        [
          'sh',
          '-c',
          'cat left.txt; kill -0 "$(cat bg.pid)" 2>/dev/null && echo alive || echo gone',
        ],
        { cwd: '/tmp' },
      );
      expect(after.stdout).toBe('kept\ngone\n');
    } finally {
      await sb.destroy();
    }
  });

  it('puts and gets files as tar streams', async () => {
    const sb = await open('files');
    try {
      await sb.putFiles('/tmp', await tarOf('in.txt', 'from the host\n'));
      const r = await sb.exec(['sh', '-c', 'cat in.txt; echo "made inside" > out.txt'], {
        cwd: '/tmp',
      });
      expect(r.stdout).toBe('from the host\n');
      const dir = await untar(await sb.getFiles('/tmp/out.txt'));
      expect(await readFile(join(dir, 'out.txt'), 'utf8')).toBe('made inside\n');
    } finally {
      await sb.destroy();
    }
  });

  it('reads one file back: missing is undefined, a planted link is refused, big files are cut', async () => {
    const sb = await open('read');
    try {
      await writeSandboxFiles(sb, '/tmp', { 'a.txt': 'alpha\n' });
      await sb.exec(['sh', '-c', 'ln -s /etc/passwd link; head -c 5000 /dev/zero > big'], {
        cwd: '/tmp',
      });
      expect(await readSandboxText(sb, '/tmp/a.txt', 1000)).toBe('alpha\n');
      expect(await readSandboxText(sb, '/tmp/none.txt', 1000)).toBeUndefined();
      await expect(readSandboxFile(sb, '/tmp/link', 1000)).rejects.toThrow(/not a regular file/);
      const big = await readSandboxFile(sb, '/tmp/big', 100);
      expect([big?.data.length, big?.size]).toEqual([100, 5000]);
    } finally {
      await sb.destroy();
    }
  });

  it("keeps an exec's stdin open for as long as the host writes to it", async () => {
    const sb = await open('stdin');
    try {
      const stdin = new PassThrough();
      const running = sb.exec(
        ['sh', '-c', 'while read line; do echo "got $line" >> seen.txt; done; echo eof'],
        { cwd: '/tmp', stdin },
      );
      stdin.write('one\n');
      stdin.write('two\n');
      stdin.end();
      const r = await running;
      expect(r.stdout).toBe('eof\n');
      expect(await readSandboxText(sb, '/tmp/seen.txt', 1000)).toBe('got one\ngot two\n');
    } finally {
      await sb.destroy();
    }
  });

  it('is gone after destroy', async () => {
    const sb = await open('destroy');
    await sb.destroy();
    await expect(sb.exec(['true'])).rejects.toThrow();
  });
}
