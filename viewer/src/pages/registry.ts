import type { FunctionComponent } from 'preact';
import type { DataSource } from '../data/source.js';
import type { Route } from '../route.js';
import { Compare } from './compare/compare.js';
import { Explorer } from './explorer/explorer.js';
import { Trace } from './trace/trace.js';
import { Trends } from './trends/trends.js';

type PageName = Exclude<Route['page'], 'not-found'>;
type PageProps<P extends PageName> = Omit<Extract<Route, { page: P }>, 'page'> & {
  source: DataSource;
};

/** The pages by route: a new page registers here, the router has no branches of its own. */
export const PAGES: { [P in PageName]: FunctionComponent<PageProps<P>> } = {
  explorer: Explorer,
  trace: Trace,
  compare: Compare,
  trends: Trends,
};
