/** Bounded exponential back-off: base * 2^(attempt), capped, with up to 20% jitter so retries spread out. */
export interface Backoff {
  baseMs: number;
  maxMs: number;
}

export function backoffDelay(policy: Backoff, attempt: number, random: () => number = Math.random): number {
  const exp = policy.baseMs * 2 ** Math.min(Math.max(attempt, 0), 30);
  const capped = Math.min(exp, policy.maxMs);
  return Math.round(capped * (0.8 + 0.2 * random()));
}

/** A sleep that ends early (resolves, never rejects) when the signal aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}
