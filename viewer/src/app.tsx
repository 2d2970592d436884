import type { FunctionComponent } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import type { DataSource } from './data/source.js';
import { PAGES } from './pages/registry.js';
import { parseRoute } from './route.js';

/**
 * The shell: a bar of pages, and the page the fragment names. Every fragment change (a link, Back,
 * an edited URL) mounts the page afresh from the URL: a page reads its params once, and its own
 * edits (filters, sort) rewrite the URL in place without a hashchange, so even a link to the
 * fragment the shell last saw (the bar's "Data Explorer" after filtering) must reset the page.
 */
export function App({ source }: { source: DataSource }) {
  const [{ hash, visit }, setNav] = useState({ hash: location.hash, visit: 0 });
  useEffect(() => {
    const on = () => setNav((v) => ({ hash: location.hash, visit: v.visit + 1 }));
    addEventListener('hashchange', on);
    return () => removeEventListener('hashchange', on);
  }, []);
  const route = parseRoute(hash);
  const Page =
    route.page === 'not-found'
      ? null
      : (PAGES[route.page] as FunctionComponent<Record<string, unknown>> | undefined);
  return (
    <>
      <nav class="topbar">
        <a class="brand" href="#/">
          gauntlet
        </a>
        <a href="#/" class={route.page === 'explorer' ? 'active' : ''}>
          Data Explorer
        </a>
        <a href="#/trends" class={route.page === 'trends' ? 'active' : ''}>
          Trends
        </a>
      </nav>
      <main>
        {Page ? (
          <Page key={visit} {...route} source={source} />
        ) : (
          <div class="banner banner-warning" role="alert">
            No page at <code>{hash}</code>. <a href="#/">Open the Data Explorer</a>.
          </div>
        )}
      </main>
    </>
  );
}
