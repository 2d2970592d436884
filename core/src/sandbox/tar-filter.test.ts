import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { describe, expect, it } from 'vitest';
import { TarFilter } from './tar-filter.js';

const long = `${'deep/'.repeat(25)}layer.tar`; // past ustar's 100 characters: an extended header

/** A tar written by GNU tar in the given format, with members of awkward sizes. */
function archive(format: 'gnu' | 'pax' | 'ustar') {
  const dir = mkdtempSync(join(tmpdir(), 'tarfilter-'));
  const files: Record<string, Buffer> = {
    'manifest.json': Buffer.from('[{"Layers":["a/layer.tar"]}]'),
    'a/layer.tar': Buffer.alloc(70_000, 7),
    'b/layer.tar': Buffer.alloc(512, 1),
    'c/empty': Buffer.alloc(0),
    ...(format === 'ustar' ? {} : { [long]: Buffer.from('long-named member') }),
  };
  for (const [name, data] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), data);
  }
  const file = join(dir, '..', `${dir.split('/').pop()}.tar`);
  execFileSync('tar', [`--format=${format}`, '-cf', file, '-C', dir, ...Object.keys(files)]);
  return { file, files };
}

/** Feeds the archive in chunks of awkward sizes, so every boundary falls mid-header somewhere. */
async function filter(file: string, drop: string[], chunk: number): Promise<Buffer> {
  const bytes = readFileSync(file);
  const parts: Buffer[] = [];
  for (let at = 0; at < bytes.length; at += chunk) parts.push(bytes.subarray(at, at + chunk));
  return buffer(Readable.from(parts).pipe(new TarFilter(drop)));
}

describe('TarFilter', () => {
  for (const format of ['gnu', 'pax', 'ustar'] as const) {
    it(`drops the named members of a ${format} archive, keeps the others as they are`, async () => {
      const { file, files } = archive(format);
      for (const chunk of [1, 511, 4096, 1 << 20]) {
        const drop = format === 'ustar' ? ['a/layer.tar'] : ['a/layer.tar', long];
        const out = join(mkdtempSync(join(tmpdir(), 'tarfilter-out-')), 'out.tar');
        writeFileSync(out, await filter(file, drop, chunk));
        const listed = execFileSync('tar', ['-tf', out], { encoding: 'utf8' }).trim().split('\n');
        expect(listed.sort()).toEqual(
          Object.keys(files)
            .filter((n) => !drop.includes(n))
            .sort(),
        );
        for (const name of listed) {
          expect(execFileSync('tar', ['-xOf', out, name])).toEqual(files[name]);
        }
      }
    });
  }

  it('passes an archive through unchanged when nothing is dropped', async () => {
    const { file } = archive('pax');
    expect((await filter(file, [], 777)).equals(readFileSync(file))).toBe(true);
  });

  it('fails on a stream that ends mid-entry (a truncated archive)', async () => {
    const { file } = archive('gnu');
    const cut = join(mkdtempSync(join(tmpdir(), 'tarfilter-cut-')), 'cut.tar');
    writeFileSync(cut, readFileSync(file).subarray(0, 2048 + 100));
    await expect(filter(cut, ['b/layer.tar'], 4096)).rejects.toThrow(/ended mid-entry/);
  });
});
