import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SecretResolver } from '../config/secrets.js';
import { seedWorkspace, WorkspaceSeedError } from './seed.js';

const secrets = new SecretResolver({});
const zip = (dir: string, name: string, py: string) =>
  execFileSync('python3', [
    '-c',
    `import zipfile,sys\nz=zipfile.ZipFile(sys.argv[1],"w")\n${py}\nz.close()`,
    join(dir, name),
  ]);

describe('workspace seeds', () => {
  it('unpacks a ZIP seed into the packed workspace, single top folder flattened', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'seed-'));
    zip(
      dir,
      'repo.zip',
      'z.writestr("repo/calc.py","x = 1\\n")\nz.writestr("repo/tests/test_calc.py","")',
    );
    const ws = await seedWorkspace({ zip: 'repo.zip' }, dir, secrets);
    const listing = execFileSync('tar', ['-tf', join(ws.packDir, 'code.tar')]).toString();
    expect(listing).toMatch(/\.\/calc\.py/);
    expect(listing).toMatch(/\.\/tests\/test_calc\.py/);
    expect(ws.provenance.workspace).toBe('zip:repo.zip');
  });

  it('refuses hostile archives, missing paths and a subdirectory that climbs out, as workspace_seed_failed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'seed-'));
    zip(dir, 'evil.zip', 'z.writestr("../../escape.py","x")');
    const err = await seedWorkspace({ zip: 'evil.zip' }, dir, secrets).catch((e) => e);
    expect(err).toBeInstanceOf(WorkspaceSeedError);
    expect(err.code).toBe('workspace_seed_failed');
    expect(err.message).toMatch(/evil\.zip refused/);
    zip(dir, 'dup.zip', 'z.writestr("x/y.py","1")\nz.writestr("x/y.py","2")');
    const dup = await seedWorkspace({ zip: 'dup.zip' }, dir, secrets).catch((e) => e);
    expect(dup).toBeInstanceOf(WorkspaceSeedError);
    const twice = "entry 'x/y.py' appears twice; re-create the ZIP without duplicates";
    expect(dup.message).toBe(`workspace.zip dup.zip refused: ${twice}`);
    zip(dir, 'win.zip', 'z.writestr("src\\\\main.py","x")');
    const win = await seedWorkspace({ zip: 'win.zip' }, dir, secrets).catch((e) => e);
    const backslashes = /^workspace\.zip win\.zip refused: entry 'src\\main\.py' uses backslashes/;
    expect(win.message).toMatch(backslashes);
    await expect(seedWorkspace({ path: 'nope' }, dir, secrets)).rejects.toThrow(
      /workspace\.path nope is not a directory/,
    );
    await expect(
      seedWorkspace({ git: { url: 'http://127.0.0.1/x.git' } }, dir, secrets),
    ).rejects.toThrow(WorkspaceSeedError);
  });
});
