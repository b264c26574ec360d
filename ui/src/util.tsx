import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError } from './api.js';

/** Calls `load` now and every `intervalMs`; answers its latest result and error. */
export function usePolling<T>(load: () => Promise<T>, intervalMs: number, deps: unknown[] = []): { data: T | undefined; error: string | undefined; reload: () => void } {
  const [data, setData] = useState<T>();
  const [error, setError] = useState<string>();
  const [tick, setTick] = useState(0);
  const loadRef = useRef(load);
  loadRef.current = load;
  useEffect(() => {
    let stopped = false;
    const run = () =>
      loadRef.current().then(
        (value) => {
          if (stopped) return;
          setData(value);
          setError(undefined);
        },
        (failure: unknown) => !stopped && setError(messageOf(failure)),
      );
    void run();
    const timer = setInterval(() => void run(), intervalMs);
    return () => {
      stopped = true;
      clearInterval(timer);
    };
  }, [intervalMs, tick, ...deps]);
  return { data, error, reload: () => setTick((n) => n + 1) };
}

export function messageOf(failure: unknown): string {
  if (failure instanceof ApiError) return `${failure.message} (${failure.errorType})`;
  return failure instanceof Error ? failure.message : String(failure);
}

/** Runs an action, showing its failure in an alert; `done` after success. */
export function useAction(): { error: string | undefined; run: (action: () => Promise<unknown>, done?: () => void) => Promise<void> } {
  const [error, setError] = useState<string>();
  return {
    error,
    run: async (action, done) => {
      try {
        await action();
        setError(undefined);
        done?.();
      } catch (failure) {
        setError(messageOf(failure));
      }
    },
  };
}

export function Alert({ text }: { text: string | undefined }) {
  return text ? <p role="alert" class="alert">{text}</p> : null;
}

export function time(value: string | undefined): string {
  return value ? new Date(value).toLocaleString() : '—';
}

/** A table with a header row; `''` for a column without a title (actions). */
export function Table({ headers, children }: { headers: readonly string[]; children: ComponentChildren }) {
  return (
    <table>
      <thead>
        <tr>
          {headers.map((header) => (
            <th>{header}</th>
          ))}
        </tr>
      </thead>
      <tbody>{children}</tbody>
    </table>
  );
}

/** A form's submit handler: no page load, the action instead. */
export function submitted(action: () => unknown): (event: Event) => void {
  return (event) => {
    event.preventDefault();
    void action();
  };
}
