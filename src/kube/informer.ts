// A cache of one kind that never dies. client-node 1.4's own informer stops for good on the first
// watch error and has no client-side timeout; this one lists, watches with `timeoutSeconds`, and on
// any error (or a watch that outlives its deadline) starts again after a bounded back-off.
import { Watch, type KubeConfig } from '@kubernetes/client-node';
import { backoffDelay, sleep, type Backoff } from './backoff.js';
import { isGone } from './client.js';
import { apiRoot, type Discovery } from './discovery.js';
import { KubeApiError, kubeRequest } from './request.js';
import { objectKey, type KubeObject } from './types.js';

export interface InformerOptions {
  apiVersion: string;
  kind: string;
  /** Omit for all namespaces. */
  namespace?: string;
  labelSelector?: string;
  /** The server ends each watch after this long; a new one then resumes from the last resourceVersion. */
  watchTimeoutSeconds?: number;
  backoff?: Backoff;
  /** Told about every failed list or watch (the informer carries on). */
  onError?: (err: unknown) => void;
  /** What the cache keeps of each object; by default all but `metadata.managedFields`. */
  keep?: (obj: KubeObject) => KubeObject;
}

/** Nobody reads managedFields, and it is often the largest part of an object. */
export function withoutManagedFields<T extends KubeObject>(obj: T): T {
  if (!obj.metadata?.managedFields) return obj;
  const { managedFields: _dropped, ...metadata } = obj.metadata;
  return { ...obj, metadata };
}

/** What readers of an informer use: its cache, not how it is kept (a test gives a plain list). */
export type ObjectCache<T extends KubeObject = KubeObject> = Pick<Informer<T>, 'get' | 'list'>;

type WatchEnd = 'closed' | 'relist';

/** A watch that delivered nothing and closed sooner than this counts as a failure (no hot loop). */
const HEALTHY_WATCH_MS = 1_000;

export class Informer<T extends KubeObject = KubeObject> {
  private readonly store = new Map<string, T>();
  private readonly handlers: ((key: string, obj: T) => void)[] = [];
  private readonly stopping = new AbortController();
  private readonly syncedPromise: Promise<void>;
  private markSynced!: () => void;
  private failSync!: (err: Error) => void;
  private isSynced = false;
  private running?: Promise<void>;
  private abortWatch?: () => void;
  private watches = 0;

  constructor(
    private readonly kc: KubeConfig,
    private readonly discovery: Discovery,
    private readonly opts: InformerOptions,
  ) {
    this.syncedPromise = new Promise<void>((resolve, reject) => {
      this.markSynced = resolve;
      this.failSync = reject;
    });
    this.syncedPromise.catch(() => {}); // a stop before the first sync is not an unhandled rejection
  }

  /**
   * Called with `namespace/name` on every add, update and delete, and the object as it is now
   * or, once deleted, as it was last seen (its labels still name its owner).
   */
  onChange(handler: (key: string, obj: T) => void): void {
    this.handlers.push(handler);
  }

  start(): void {
    this.running ??= this.run();
  }

  /** Stop on purpose: no restart, the pending watch is closed. */
  async stop(): Promise<void> {
    this.stopping.abort();
    this.abortWatch?.();
    if (!this.isSynced) this.failSync(new Error(`informer for ${this.opts.kind} stopped before it synced`));
    await this.running;
  }

  /** Resolves once the first list is in the cache. */
  synced(): Promise<void> {
    return this.syncedPromise;
  }

  hasSynced(): boolean {
    return this.isSynced;
  }

  /** Watches opened so far: each server-side close or error opens a new one. */
  get watchesStarted(): number {
    return this.watches;
  }

  get(key: string): T | undefined {
    return this.store.get(key);
  }

  list(): T[] {
    return [...this.store.values()];
  }

  private kept(obj: KubeObject): T {
    return (this.opts.keep ?? withoutManagedFields)(obj) as T;
  }

  private async run(): Promise<void> {
    const backoff = this.opts.backoff ?? { baseMs: 200, maxMs: 30_000 };
    let attempt = 0;
    let resourceVersion: string | undefined;
    while (!this.stopping.signal.aborted) {
      const started = Date.now();
      let delivered = false;
      try {
        const path = await this.collectionPath();
        resourceVersion ??= await this.relist(path);
        const end = await this.watch(path, resourceVersion, (rv) => {
          resourceVersion = rv;
          delivered = true;
        });
        if (end === 'relist') resourceVersion = undefined;
        if (delivered || Date.now() - started >= HEALTHY_WATCH_MS) {
          attempt = 0;
          continue;
        }
      } catch (err) {
        if (this.stopping.signal.aborted) break;
        if (isGone(err)) resourceVersion = undefined;
        this.opts.onError?.(err);
      }
      await sleep(backoffDelay(backoff, attempt++), this.stopping.signal);
    }
  }

  private async collectionPath(): Promise<string> {
    const { apiVersion, kind, namespace } = this.opts;
    const res = await this.discovery.resource(apiVersion, kind);
    if (!res) throw new Error(`the server does not serve ${kind} in ${apiVersion}`);
    const ns = res.namespaced && namespace ? `/namespaces/${encodeURIComponent(namespace)}` : '';
    return `${apiRoot(apiVersion)}${ns}/${res.name}`;
  }

  /** Replaces the cache with a fresh list; returns the list's resourceVersion to watch from. */
  private async relist(path: string): Promise<string> {
    const list = await kubeRequest<{ metadata?: { resourceVersion?: string }; items: T[] }>(this.kc, {
      method: 'GET',
      path,
      query: { labelSelector: this.opts.labelSelector },
      signal: this.stopping.signal,
      timeoutMs: 60_000,
    });
    const seen = new Set<string>();
    const changed: Array<[string, T]> = [];
    for (const item of list.items) {
      // List items come without apiVersion/kind; watch events have them. Keep the cache uniform.
      const obj = this.kept({ apiVersion: this.opts.apiVersion, kind: this.opts.kind, ...item });
      const key = keyOf(obj);
      seen.add(key);
      if (this.store.get(key)?.metadata?.resourceVersion !== obj.metadata?.resourceVersion) changed.push([key, obj]);
      this.store.set(key, obj);
    }
    for (const key of [...this.store.keys()]) {
      if (!seen.has(key)) {
        changed.push([key, this.store.get(key)!]);
        this.store.delete(key);
      }
    }
    if (!this.isSynced) {
      this.isSynced = true;
      this.markSynced();
    }
    for (const [key, obj] of changed) this.notify(key, obj);
    return list.metadata?.resourceVersion ?? '';
  }

  private watch(path: string, resourceVersion: string, progressed: (rv: string) => void): Promise<WatchEnd> {
    const timeoutSeconds = this.opts.watchTimeoutSeconds ?? 300;
    return new Promise<WatchEnd>((resolve, reject) => {
      let finished = false;
      let controller: AbortController | undefined;
      let cancelled = false;
      let failure: unknown;
      let relist = false;
      const finish = (err?: unknown) => {
        if (finished) return;
        finished = true;
        clearTimeout(watchdog);
        this.abortWatch = undefined;
        cancelled = true;
        controller?.abort();
        if (failure !== undefined) reject(failure);
        else if (relist) resolve('relist');
        else if (err && !this.stopping.signal.aborted) reject(err);
        else resolve('closed');
      };
      // client-node sets no deadline of its own: a watch the server forgot would hang forever.
      const watchdog = setTimeout(() => {
        failure = new Error(`watch of ${path} outlived its ${timeoutSeconds}s timeout`);
        finish();
      }, timeoutSeconds * 1000 + Math.max(5_000, timeoutSeconds * 250));
      this.abortWatch = () => finish();

      const onEvent = (type: string, obj: KubeObject) => {
        if (finished) return;
        const rv = obj?.metadata?.resourceVersion;
        switch (type) {
          case 'ADDED':
          case 'MODIFIED': {
            const key = keyOf(obj);
            const kept = this.kept(obj);
            this.store.set(key, kept);
            if (rv) progressed(rv);
            this.notify(key, kept);
            break;
          }
          case 'DELETED': {
            const key = keyOf(obj);
            this.store.delete(key);
            if (rv) progressed(rv);
            this.notify(key, this.kept(obj));
            break;
          }
          case 'BOOKMARK':
            if (rv) progressed(rv);
            break;
          case 'ERROR': {
            const status = obj as { code?: number; reason?: string; message?: string };
            if (status.code === 410) relist = true;
            else failure = new KubeApiError(status.code ?? 500, status.reason, `watch of ${path}: ${status.message ?? 'error event'}`);
            finish();
            break;
          }
        }
      };

      this.watches += 1;
      new Watch(this.kc)
        .watch(
          path,
          { resourceVersion, timeoutSeconds, allowWatchBookmarks: true, labelSelector: this.opts.labelSelector },
          onEvent,
          (err) => finish(err ?? undefined),
        )
        .then((c) => {
          controller = c;
          if (cancelled) c.abort(); // finished before the response headers arrived
        }, finish);
    });
  }

  private notify(key: string, obj: T): void {
    for (const handler of this.handlers) {
      try {
        handler(key, obj);
      } catch (err) {
        this.opts.onError?.(err);
      }
    }
  }
}

function keyOf(obj: KubeObject): string {
  return objectKey(obj.metadata?.namespace, obj.metadata?.name ?? '');
}
