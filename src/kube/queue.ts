// A work queue of object keys, in the style of client-go's: a key waits at most once, one worker
// handles a key at a time (different keys run in parallel), failures retry with a per-key
// exponential back-off, and a key added while it is being handled runs again right after.
import { backoffDelay, type Backoff } from './backoff.js';

/** A handler may ask to see the key again later (level-triggered polling) without failing. */
export type HandlerResult = void | { requeueAfterMs: number };

export type KeyHandler = (key: string, signal: AbortSignal) => Promise<HandlerResult>;

export interface QueueOptions {
  /** Keys handled at the same time. */
  concurrency?: number;
  backoff?: Backoff;
  /** Told about every failure; the key is retried after `retryInMs`. */
  onError?: (key: string, err: unknown, retryInMs: number) => void;
}

export class WorkQueue {
  private readonly waiting: string[] = [];
  private readonly queued = new Set<string>();
  private readonly active = new Set<string>();
  private readonly dirty = new Set<string>();
  private readonly failures = new Map<string, number>();
  private readonly timers = new Map<string, { at: number; timer: NodeJS.Timeout }>();
  private readonly inFlight = new Set<Promise<void>>();
  private readonly stopping = new AbortController();
  private readonly idleWaiters: (() => void)[] = [];
  private started = false;
  private readonly concurrency: number;
  private readonly backoff: Backoff;

  constructor(
    private readonly handler: KeyHandler,
    private readonly opts: QueueOptions = {},
  ) {
    this.concurrency = Math.max(1, opts.concurrency ?? 4);
    this.backoff = opts.backoff ?? { baseMs: 500, maxMs: 60_000 };
  }

  start(): void {
    this.started = true;
    this.pump();
  }

  /** Stop taking keys, cancel delayed ones, abort the handlers' signal and wait for them to return. */
  async stop(): Promise<void> {
    this.stopping.abort();
    for (const { timer } of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    await Promise.allSettled([...this.inFlight]);
  }

  add(key: string): void {
    if (this.stopping.signal.aborted) return;
    if (this.active.has(key)) {
      this.dirty.add(key); // handled again once the current run ends, never concurrently
      return;
    }
    if (this.queued.has(key)) return;
    this.queued.add(key);
    this.waiting.push(key);
    this.pump();
  }

  /** Add the key after `ms`; an earlier pending time for the same key wins. */
  enqueueAfter(key: string, ms: number): void {
    if (this.stopping.signal.aborted) return;
    if (ms <= 0) return this.add(key);
    const at = Date.now() + ms;
    const pending = this.timers.get(key);
    if (pending && pending.at <= at) return;
    if (pending) clearTimeout(pending.timer);
    const timer = setTimeout(() => {
      this.timers.delete(key);
      this.add(key);
    }, ms);
    timer.unref?.();
    this.timers.set(key, { at, timer });
  }

  /** Failures in a row for this key (0 after a success). */
  retries(key: string): number {
    return this.failures.get(key) ?? 0;
  }

  get length(): number {
    return this.waiting.length;
  }

  /** Resolves when nothing is waiting or running (delayed keys do not count). */
  idle(): Promise<void> {
    if (this.waiting.length === 0 && this.active.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private pump(): void {
    if (!this.started) return;
    while (!this.stopping.signal.aborted && this.active.size < this.concurrency && this.waiting.length > 0) {
      const key = this.waiting.shift()!;
      this.queued.delete(key);
      this.active.add(key);
      const run = this.handle(key).finally(() => {
        this.inFlight.delete(run);
        this.active.delete(key);
        if (this.dirty.delete(key)) this.add(key);
        this.pump();
        if (this.waiting.length === 0 && this.active.size === 0) this.idleWaiters.splice(0).forEach((w) => w());
      });
      this.inFlight.add(run);
    }
  }

  private async handle(key: string): Promise<void> {
    try {
      const result = await this.handler(key, this.stopping.signal);
      this.failures.delete(key);
      if (result && result.requeueAfterMs >= 0) this.enqueueAfter(key, result.requeueAfterMs);
    } catch (err) {
      const attempt = this.failures.get(key) ?? 0;
      this.failures.set(key, attempt + 1);
      const delay = backoffDelay(this.backoff, attempt);
      try {
        this.opts.onError?.(key, err, delay);
      } catch {
        // a failing logger must not stop the retry
      }
      this.enqueueAfter(key, delay);
    }
  }
}
