// Events people read with `kubectl describe`. Repeats of the same reason and message on the same
// object within five minutes bump one Event's count instead of piling up new ones. Recording never
// throws: an Event is a courtesy, never a reason for a reconcile or a failover to fail.
import { randomBytes } from 'node:crypto';
import type { KubeConfig } from '@kubernetes/client-node';
import { describeError, isNotFound } from './client.js';
import { kubeRequest } from './request.js';
import type { ObjectRef } from './types.js';

export type EventType = 'Normal' | 'Warning';

export interface EventRecorderOptions {
  /** `source.component` and `reportingComponent`, e.g. `ordinal-operator`. */
  component: string;
  /** `reportingInstance`, e.g. the pod name. */
  instance?: string;
  aggregateWindowMs?: number;
  onError?: (message: string) => void;
  now?: () => Date;
  /** Checked before every write: a process that no longer leads reports nothing. */
  mayWrite?: () => boolean;
}

const MAX_MESSAGE_BYTES = 1024;
const MAX_REMEMBERED = 4096;

interface Seen {
  name: string;
  namespace: string;
  count: number;
  lastSeen: number;
}

export class EventRecorder {
  private readonly seen = new Map<string, Seen>();
  /** One write at a time per aggregation key, so two identical events cannot both create. */
  private readonly chains = new Map<string, Promise<void>>();
  private readonly windowMs: number;
  private readonly now: () => Date;

  constructor(
    private readonly kc: KubeConfig,
    private readonly opts: EventRecorderOptions,
  ) {
    this.windowMs = opts.aggregateWindowMs ?? 5 * 60_000;
    this.now = opts.now ?? (() => new Date());
  }

  normal(obj: ObjectRef, reason: string, message: string): Promise<void> {
    return this.record(obj, 'Normal', reason, message);
  }

  warning(obj: ObjectRef, reason: string, message: string): Promise<void> {
    return this.record(obj, 'Warning', reason, message);
  }

  /** Always resolves; failures go to `onError`. */
  record(obj: ObjectRef, type: EventType, reason: string, message: string): Promise<void> {
    const text = truncateUtf8(message, MAX_MESSAGE_BYTES);
    const key = JSON.stringify([obj.apiVersion, obj.kind, obj.namespace ?? '', obj.name, obj.uid ?? '', type, reason, text]);
    const previous = this.chains.get(key) ?? Promise.resolve();
    const next = previous
      .then(() => this.write(key, obj, type, reason, text))
      .catch((err) => this.opts.onError?.(`event ${reason} on ${obj.kind} ${obj.name}: ${describeError(err)}`))
      .catch(() => {});
    this.chains.set(key, next);
    void next.then(() => {
      if (this.chains.get(key) === next) this.chains.delete(key);
    });
    return next;
  }

  private async write(key: string, obj: ObjectRef, type: EventType, reason: string, message: string): Promise<void> {
    if (this.opts.mayWrite && !this.opts.mayWrite()) return;
    const now = this.now();
    const stamp = now.toISOString().replace(/\.\d{3}Z$/, 'Z');
    const prior = this.seen.get(key);
    if (prior && now.getTime() - prior.lastSeen < this.windowMs) {
      try {
        await kubeRequest(this.kc, {
          method: 'PATCH',
          path: eventPath(prior.namespace, prior.name),
          body: { count: prior.count + 1, lastTimestamp: stamp },
          contentType: 'application/merge-patch+json',
        });
        prior.count += 1;
        prior.lastSeen = now.getTime();
        return;
      } catch (err) {
        if (!isNotFound(err)) throw err; // the Event expired (TTL): start a new one
      }
    }
    const namespace = obj.namespace ?? 'default';
    const name = `${obj.name}.${now.getTime().toString(16)}${randomBytes(2).toString('hex')}`;
    await kubeRequest(this.kc, {
      method: 'POST',
      path: eventPath(namespace),
      body: {
        apiVersion: 'v1',
        kind: 'Event',
        metadata: { name, namespace },
        involvedObject: { apiVersion: obj.apiVersion, kind: obj.kind, name: obj.name, namespace: obj.namespace, uid: obj.uid },
        type,
        reason,
        message,
        count: 1,
        firstTimestamp: stamp,
        lastTimestamp: stamp,
        source: { component: this.opts.component },
        reportingComponent: this.opts.component,
        reportingInstance: this.opts.instance ?? '',
      },
    });
    this.seen.delete(key);
    this.seen.set(key, { name, namespace, count: 1, lastSeen: now.getTime() });
    if (this.seen.size > MAX_REMEMBERED) this.seen.delete(this.seen.keys().next().value!);
  }
}

function eventPath(namespace: string, name?: string): string {
  const base = `/api/v1/namespaces/${encodeURIComponent(namespace)}/events`;
  return name ? `${base}/${encodeURIComponent(name)}` : base;
}

/** At most `max` UTF-8 bytes, cut on a character boundary, marked with an ellipsis when cut. */
export function truncateUtf8(text: string, max: number): string {
  if (Buffer.byteLength(text) <= max) return text;
  const ellipsis = '…';
  let out = '';
  let bytes = Buffer.byteLength(ellipsis);
  for (const ch of text) {
    const b = Buffer.byteLength(ch);
    if (bytes + b > max) break;
    out += ch;
    bytes += b;
  }
  return out + ellipsis;
}
