import { describe, expect, it } from 'vitest';
import { href, parseRoute } from './route.js';

describe('fragment routes', () => {
  it('round-trips every link the pages build, ids with slashes and unicode included', () => {
    const odd = 'a/b?c#d %é';
    expect(parseRoute(href.trace(odd, 'r/1'))).toMatchObject({
      page: 'trace',
      suiteRun: odd,
      run: 'r/1',
    });
    expect(parseRoute(href.compare('b', odd))).toMatchObject({
      page: 'compare',
      base: 'b',
      head: odd,
    });
    expect(parseRoute(href.trends(odd))).toMatchObject({ page: 'trends', suite: odd });
    const r = parseRoute(href.explorer(odd, { mode: 'failures', q: 'x y', sort: undefined }));
    expect(r).toMatchObject({ page: 'explorer', suiteRun: odd });
    expect(r.page === 'explorer' && [r.params.get('mode'), r.params.get('q')]).toEqual([
      'failures',
      'x y',
    ]);
  });

  it('opens the newest suite run on an empty fragment and names a route it does not know', () => {
    expect(parseRoute('')).toMatchObject({ page: 'explorer', suiteRun: null });
    expect(parseRoute('#/')).toMatchObject({ page: 'explorer', suiteRun: null });
    expect(parseRoute('#/trace/only-one')).toEqual({ page: 'not-found', hash: '#/trace/only-one' });
    expect(parseRoute('#/nope')).toMatchObject({ page: 'not-found' });
  });

  it('keeps a malformed escape as typed instead of throwing', () => {
    expect(parseRoute('#/explorer/%E0%A4%A')).toMatchObject({ suiteRun: '%E0%A4%A' });
  });
});
