import type { FunctionComponent } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import type { DataSource } from './data/source.js';
import { PAGES } from './pages/registry.js';
import { parseRoute } from './route.js';

/** The shell: a bar of pages, and the page the fragment names. */
export function App({ source }: { source: DataSource }) {
  const [hash, setHash] = useState(location.hash);
  useEffect(() => {
    const on = () => setHash(location.hash);
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
          <Page key={hash.split('?')[0]} {...route} source={source} />
        ) : (
          <div class="banner banner-warning" role="alert">
            No page at <code>{hash}</code>. <a href="#/">Open the Data Explorer</a>.
          </div>
        )}
      </main>
    </>
  );
}
