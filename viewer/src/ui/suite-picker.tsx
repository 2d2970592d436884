import type { IndexEntry } from '../../../core/src/index.js';
import { navigate } from '../app-nav.js';
import { shortSha, when } from './format.js';

/** Chooses another suite run from index.json, newest first, to open in the same page. */
export function SuitePicker(props: {
  entries: IndexEntry[];
  current: string;
  link: (id: string) => string;
  label?: string;
}) {
  const sorted = [...props.entries].sort((a, b) => b.started_at.localeCompare(a.started_at));
  return (
    <label class="suite-picker">
      {props.label ?? 'Suite run'}{' '}
      <select
        value={props.current}
        data-testid="suite-picker"
        onChange={(e) => navigate(props.link((e.target as HTMLSelectElement).value))}
      >
        {sorted.map((e) => (
          <option key={e.id} value={e.id}>
            {e.suite} · {when(e.started_at)}
            {e.commit ? ` · ${shortSha(e.commit)}` : ''}
            {e.pr ? ` · PR #${e.pr}` : ''}
            {e.shard ? ` · shard ${e.shard}` : ''}
          </option>
        ))}
      </select>
    </label>
  );
}
