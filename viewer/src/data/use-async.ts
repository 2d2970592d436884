import { useEffect, useState } from 'preact/hooks';

export type Async<T> =
  { state: 'loading' } | { state: 'error'; error: Error } | { state: 'ready'; value: T };

/** Runs a load when its keys change; a stale load's answer is dropped, never shown. */
export function useAsync<T>(load: () => Promise<T>, keys: unknown[]): Async<T> {
  const [result, setResult] = useState<Async<T>>({ state: 'loading' });
  useEffect(() => {
    let live = true;
    setResult({ state: 'loading' });
    load().then(
      (value) => live && setResult({ state: 'ready', value }),
      (error: unknown) =>
        live &&
        setResult({
          state: 'error',
          error: error instanceof Error ? error : new Error(String(error)),
        }),
    );
    return () => {
      live = false;
    };
  }, keys);
  return result;
}
