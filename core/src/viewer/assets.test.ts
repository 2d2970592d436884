import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { packageRoot } from '../util/paths.js';
import {
  readViewerAssets,
  VIEWER_DIR_ENV,
  viewerCandidates,
  viewerDir,
  ViewerNotBuilt,
} from './assets.js';

describe('locating the built viewer', () => {
  it("finds the checkout's viewer/dist from the sources, after this module's own viewer/", () => {
    const c = viewerCandidates({});
    expect(c[c.length - 1]).toBe(join(packageRoot(), 'viewer', 'dist'));
    expect(c[0]).toBe(join(packageRoot(), 'core', 'src', 'viewer', 'viewer'));
    expect(viewerDir({})).toBe(join(packageRoot(), 'viewer', 'dist'));
  });

  it('takes the override alone, and names what it lacks and the fix', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'viewer-'));
    await writeFile(join(dir, 'index.html'), '<!doctype html>');
    const err = (() => {
      try {
        viewerDir({ [VIEWER_DIR_ENV]: dir });
      } catch (e) {
        return e as ViewerNotBuilt;
      }
    })();
    expect(err).toBeInstanceOf(ViewerNotBuilt);
    expect(err!.searched).toEqual([dir]);
    expect(err!.missing[dir]).toEqual(['viewer.js', 'viewer.css']);
    expect(err!.message).toContain(`${dir}: missing viewer.js, viewer.css`);
    expect(err!.message).toContain('npm run build');
    await writeFile(join(dir, 'viewer.js'), 'x');
    await writeFile(join(dir, 'viewer.css'), 'y');
    expect(viewerDir({ [VIEWER_DIR_ENV]: dir })).toBe(dir);
    expect(readViewerAssets(dir)).toEqual({
      'index.html': '<!doctype html>',
      'viewer.js': 'x',
      'viewer.css': 'y',
    });
  });
});
