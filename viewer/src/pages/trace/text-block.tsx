import { useState } from 'preact/hooks';
import { text } from '../../data/safe.js';

/** Characters of one value drawn before "Show all": a 1 MB tail must not stall the page. */
export const CLIP_CHARS = 20_000;

/**
 * A value from the record as preformatted text (JSON for anything but a string). Text is never
 * parsed as HTML: preact sets it as a text node.
 */
export function TextBlock(props: { value: unknown; class?: string; empty?: string; max?: number }) {
  const [all, setAll] = useState(false);
  const s = props.value == null ? '' : text(props.value);
  const max = props.max ?? CLIP_CHARS;
  if (!s) return <p class="muted small">{props.empty ?? '(empty)'}</p>;
  const cut = !all && s.length > max;
  return (
    <div class={`text-block ${props.class ?? ''}`}>
      <pre>{cut ? s.slice(0, max) : s}</pre>
      {cut ? (
        <button type="button" class="link-button" onClick={() => setAll(true)}>
          Show all ({(s.length / 1024).toFixed(0)} KiB)
        </button>
      ) : null}
    </div>
  );
}

/** A labelled field of a card: a name and its value as text. */
export function Field(props: { name: string; value: unknown; empty?: string }) {
  return (
    <div class="field">
      <div class="field-name">{props.name}</div>
      <TextBlock value={props.value} empty={props.empty} />
    </div>
  );
}
