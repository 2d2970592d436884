import { mkdtemp, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ArtifactEntry } from '../results/record.js';
import { Redactor } from '../results/redact.js';
import { DirectoryStore } from '../results/store.js';
import { collectReport, REPORT_ARTIFACT_BYTES } from './html-report.js';

const entry = (path: string, type: string, size: number): ArtifactEntry => ({
  path,
  size,
  sha256: '',
  content_type: type,
  stored: true,
});

describe('the one-file report embeds text artifacts within its bounds', () => {
  it('embeds stored text under the key the viewer asks for; not images, big files or links', async () => {
    const results = await mkdtemp(join(tmpdir(), 'report-art-'));
    const outside = await mkdtemp(join(tmpdir(), 'outside-'));
    await writeFile(join(outside, 'key.txt'), 'hunter2');
    const store = new DirectoryStore(results, new Redactor());
    const big = 'x'.repeat(REPORT_ARTIFACT_BYTES + 1);
    const files = new Map([
      ['summary.json', Buffer.from('{"total":3}')],
      ['notes dir/a b.md', Buffer.from('# notes')],
      ['page.html', Buffer.from('<p>hi</p>')],
      ['plot.png', Buffer.from([0x89, 0x50])],
      ['big.log', Buffer.from(big)],
    ]);
    await store.writeArtifacts('s1', 'r1', files);
    await symlink(join(outside, 'key.txt'), join(store.suiteDir('s1'), 'artifacts/r1/link.txt'));
    await writeFile(
      join(store.suiteDir('s1'), 'r1.json'),
      JSON.stringify({
        id: 'r1',
        artifacts: [
          entry('summary.json', 'application/json', 11),
          entry('notes dir/a b.md', 'text/markdown', 7),
          entry('page.html', 'text/html', 9),
          entry('plot.png', 'image/png', 2),
          entry('big.log', 'text/plain', big.length),
          entry('link.txt', 'text/plain', 7),
          entry('../../etc/passwd', 'text/plain', 7),
          'old-style/path.txt',
        ],
      }),
    );
    await store.writeManifest({
      id: 's1',
      suite: 's',
      started_at: new Date().toISOString(),
      runs: [{ id: 'r1' }],
    } as never);
    await writeFile(
      join(results, 'index.json'),
      JSON.stringify({
        schema_version: 1,
        suite_runs: [{ id: 's1', suite: 's', started_at: 'x' }],
      }),
    );
    const data = await collectReport(results);
    const embedded = Object.keys(data.files)
      .filter((k) => k.includes('/artifacts/'))
      .sort();
    expect(embedded).toEqual([
      'runs/s1/artifacts/r1/notes%20dir/a%20b.md',
      'runs/s1/artifacts/r1/page.html.txt',
      'runs/s1/artifacts/r1/summary.json',
    ]);
    expect(data.files['runs/s1/artifacts/r1/summary.json']).toBe('{"total":3}');
    expect(JSON.stringify(data.files)).not.toContain('hunter2');
  });
});
