import { DataMissing } from '../data/source.js';

export function Loading({ what }: { what: string }) {
  return <p class="loading">Loading {what}…</p>;
}

/** A page that could not load says what it tried to read and why. */
export function Failure({ error }: { error: Error }) {
  return (
    <div class="banner banner-danger" role="alert" data-testid="load-error">
      <strong>{error instanceof DataMissing ? 'Missing results file' : 'Could not load'}</strong>
      <div>{error.message}</div>
    </div>
  );
}
