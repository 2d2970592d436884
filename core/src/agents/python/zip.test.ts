import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ArchiveRejected, extractZip } from './zip.js';

/** Builds ZIPs with Python's zipfile, which will write exactly the hostile entries we ask for. */
function makeZip(
  entries: { name: string; data?: string; symlink?: boolean; size?: number }[],
  patchSize?: number,
): string {
  const dir = mkdtempSync(join(tmpdir(), 'gauntlet-zip-'));
  const path = join(dir, 'a.zip');
  const py = `
import sys, json, zipfile, struct
entries = json.loads(sys.argv[2])
with zipfile.ZipFile(sys.argv[1], "w", zipfile.ZIP_DEFLATED) as z:
    for e in entries:
        info = zipfile.ZipInfo(e["name"])
        info.compress_type = zipfile.ZIP_DEFLATED
        if e.get("symlink"):
            info.external_attr = (0o120777 << 16)
        data = e.get("data", "") if "size" not in e else "\\0" * e["size"]
        z.writestr(info, data)
patch = int(sys.argv[3])
if patch >= 0:
    b = bytearray(open(sys.argv[1], "rb").read())
    for sig, off in ((b"PK\\x01\\x02", 24), (b"PK\\x03\\x04", 22)):
        i = b.find(sig)
        b[i + off:i + off + 4] = struct.pack("<I", patch)
    open(sys.argv[1], "wb").write(bytes(b))
`;
  execFileSync('python3', ['-c', py, path, JSON.stringify(entries), String(patchSize ?? -1)]);
  return path;
}

const dest = () => mkdtempSync(join(tmpdir(), 'gauntlet-dest-'));

describe('agent ZIP extraction', () => {
  it('flattens a single top-level folder', async () => {
    const d = dest();
    await extractZip(
      makeZip([
        { name: 'my-agent/main.py', data: 'x=1' },
        { name: 'my-agent/helpers/p.py', data: 'y=2' },
      ]),
      d,
    );
    expect(readFileSync(join(d, 'main.py'), 'utf8')).toBe('x=1');
    expect(existsSync(join(d, 'helpers/p.py'))).toBe(true);
  });

  it('keeps a flat archive as it is', async () => {
    const d = dest();
    await extractZip(
      makeZip([
        { name: 'main.py', data: 'x=1' },
        { name: 'lib/a.py', data: '' },
      ]),
      d,
    );
    expect(readdirSync(d).sort()).toEqual(['lib', 'main.py']);
  });

  it.each([
    ['zip-slip', [{ name: '../../evil.py', data: 'x' }], /zip-slip/],
    ['an absolute path', [{ name: '/etc/cron.d/evil', data: 'x' }], /absolute/],
    [
      'a symlink',
      [
        { name: 'main.py', data: 'x' },
        { name: 'link', data: '/etc/passwd', symlink: true },
      ],
      /symlink/,
    ],
    [
      'a .git/ entry',
      [
        { name: 'main.py', data: 'x' },
        { name: '.git/hooks/post-checkout', data: 'x' },
      ],
      /\.git/,
    ],
    ['a nested .git/ entry', [{ name: 'a/b/.git/config', data: 'x' }], /\.git/],
  ])('refuses %s before writing anything', async (_n, entries, msg) => {
    const d = dest();
    await expect(extractZip(makeZip(entries as never), d)).rejects.toThrow(msg);
    expect(readdirSync(d)).toEqual([]);
  });

  it('refuses an archive whose declared size is over the cap', async () => {
    await expect(
      extractZip(makeZip([{ name: 'big.bin', size: 3 * 1024 * 1024 }]), dest(), {
        compressed: 1e8,
        uncompressed: 1024 * 1024,
      }),
    ).rejects.toThrow(/uncompressed size over/);
  });

  it('refuses a zip bomb whose headers lie about its size', async () => {
    const p = makeZip([{ name: 'bomb.bin', size: 3 * 1024 * 1024 }], 100);
    await expect(
      extractZip(p, dest(), { compressed: 1e8, uncompressed: 1024 * 1024 }),
    ).rejects.toBeInstanceOf(ArchiveRejected);
  });

  it('names a duplicated entry plainly, without a host path, before writing anything', async () => {
    const d = dest();
    const twice = [
      { name: 'x/y.py', data: '1' },
      { name: 'x/y.py', data: '2' },
    ];
    const err = await extractZip(makeZip(twice), d).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ArchiveRejected);
    const msg = (err as Error).message;
    expect(msg).toBe("entry 'x/y.py' appears twice; re-create the ZIP without duplicates");
    expect(msg).not.toContain(tmpdir());
    expect(readdirSync(d)).toEqual([]);
  });

  it('names an entry that is a file and a folder at once', async () => {
    const both = [
      { name: 'main.py', data: 'x' },
      { name: 'lib', data: '1' },
      { name: 'lib/a.py', data: '2' },
    ];
    const err = await extractZip(makeZip(both), dest()).catch((e: unknown) => e);
    const msg = (err as Error).message;
    expect(msg).toMatch(/^entry 'lib' is a file, and entry 'lib\/a\.py' needs a folder/);
    expect(msg).not.toContain(tmpdir());
  });

  it('names an entry written with backslashes and says how to re-create the ZIP', async () => {
    const zip = makeZip([{ name: 'src\\main.py', data: 'x' }]);
    const err = await extractZip(zip, dest()).catch((e) => e);
    expect(err).toBeInstanceOf(ArchiveRejected);
    expect(err.message).toBe(
      "entry 'src\\main.py' uses backslashes (a Windows tool wrote it); " +
        "re-create it with forward slashes, e.g. `zip -r` or Python's zipfile",
    );
  });

  it('refuses something that is not a ZIP', async () => {
    const d = dest();
    execFileSync('sh', ['-c', `echo nope > ${d}/x.zip`]);
    await expect(extractZip(join(d, 'x.zip'), dest())).rejects.toThrow(/not a valid ZIP/);
  });
});
