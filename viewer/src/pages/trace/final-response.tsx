import type { RunRecord } from '../../../../core/src/index.js';
import { str } from '../../data/safe.js';
import { TextBlock } from './text-block.js';

/** The agent's final response, as text (it is the most likely place for hostile markup). */
export function FinalResponse({ record: r }: { record: RunRecord }) {
  const s = str(r.final_response);
  return (
    <section class="card final-response" data-testid="final-response">
      <h2>Final response</h2>
      <TextBlock value={s} empty="(none: the agent gave no final response)" />
    </section>
  );
}
