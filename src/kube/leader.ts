// Leader election on a coordination.k8s.io/v1 Lease, with client-go's rules: a lease is expired
// when its record has not changed for leaseDuration *as seen on our own clock* (no trust in other
// machines' clocks); a leader that cannot renew within renewDeadline (< leaseDuration) stops
// leading before anyone else may take over; a clean shutdown clears holderIdentity so a standby
// takes over on its next retry. Every write carries the resourceVersion it read (409 = lost race).
import { performance } from 'node:perf_hooks';
import type { KubeConfig } from '@kubernetes/client-node';
import { sleep } from './backoff.js';
import { isConflict, isNotFound } from './client.js';
import { kubeRequest } from './request.js';

export interface LeaderElectionOptions {
  name: string;
  namespace: string;
  /** Unique per process, e.g. the pod name. */
  identity: string;
  leaseDurationMs?: number;
  renewDeadlineMs?: number;
  retryPeriodMs?: number;
  /** Runs while leading; `signal` aborts the moment leadership ends. Return when it aborts. */
  onStartedLeading: (signal: AbortSignal) => void | Promise<void>;
  onStoppedLeading?: () => void;
  onNewLeader?: (identity: string | undefined) => void;
  onError?: (err: unknown) => void;
}

interface LeaseSpec {
  holderIdentity?: string;
  leaseDurationSeconds?: number;
  acquireTime?: string;
  renewTime?: string;
  leaseTransitions?: number;
}

interface Lease {
  apiVersion: 'coordination.k8s.io/v1';
  kind: 'Lease';
  metadata: { name: string; namespace: string; resourceVersion?: string; [k: string]: unknown };
  spec?: LeaseSpec;
}

type Attempt = 'held' | 'taken' | 'failed';

export class LeaderElector {
  private readonly leaseDurationMs: number;
  private readonly renewDeadlineMs: number;
  private readonly retryPeriodMs: number;
  private readonly stopping = new AbortController();
  private releaseOnStop = true;
  private running?: Promise<void>;
  private leading?: AbortController;
  /** The last record seen, and when (monotonic ms): the basis of expiry. */
  private observed?: { holder?: string; renewTime?: string; at: number };
  /** Monotonic ms until which the current term holds without another renew. */
  private validUntil = 0;

  constructor(
    private readonly kc: KubeConfig,
    private readonly opts: LeaderElectionOptions,
  ) {
    this.leaseDurationMs = opts.leaseDurationMs ?? 15_000;
    this.renewDeadlineMs = opts.renewDeadlineMs ?? 10_000;
    this.retryPeriodMs = opts.retryPeriodMs ?? 2_000;
    if (!(this.leaseDurationMs > this.renewDeadlineMs && this.renewDeadlineMs > this.retryPeriodMs)) {
      throw new Error('leader election needs leaseDuration > renewDeadline > retryPeriod');
    }
  }

  start(): void {
    this.running ??= this.run();
  }

  /**
   * Stop: leadership ends (the signal aborts, the work is awaited), then the lease is released
   * unless `release` is false, which leaves it to expire as if this process had died.
   */
  async stop(options: { release?: boolean } = {}): Promise<void> {
    this.releaseOnStop = options.release ?? true;
    this.stopping.abort();
    await this.running;
  }

  isLeader(): boolean {
    return this.leading !== undefined && !this.leading.signal.aborted;
  }

  /**
   * Leading, by this process's monotonic clock, right now. After a stall (SIGSTOP, a long
   * pause) callbacks may run before the renew-deadline timer fires and aborts the signal;
   * this answers correctly before that timer has had its turn. Check it before every act.
   */
  holds(): boolean {
    return this.isLeader() && performance.now() < this.validUntil;
  }

  /** The holder last seen on the lease. */
  leader(): string | undefined {
    return this.observed?.holder;
  }

  private async run(): Promise<void> {
    while (!this.stopping.signal.aborted) {
      const started = performance.now();
      const result = await this.attempt(started + this.retryPeriodMs * 2);
      if (result === 'held') await this.lead(started);
      else await sleep(this.retryPeriodMs, this.stopping.signal);
    }
  }

  private async lead(acquiredAt: number): Promise<void> {
    const leading = new AbortController();
    this.leading = leading;
    let renewedAt = acquiredAt;
    let deadline: NodeJS.Timeout | undefined;
    // Leadership ends exactly at the renew deadline, even while a renew request is still hanging.
    const armDeadline = () => {
      this.validUntil = renewedAt + this.renewDeadlineMs;
      clearTimeout(deadline);
      deadline = setTimeout(() => leading.abort(), Math.max(0, renewedAt + this.renewDeadlineMs - performance.now()));
    };
    armDeadline();
    const work = Promise.resolve()
      .then(() => this.opts.onStartedLeading(leading.signal))
      .catch((err) => this.report(err));

    const stopOrLoss = AbortSignal.any([this.stopping.signal, leading.signal]);
    while (!stopOrLoss.aborted) {
      await sleep(this.retryPeriodMs, stopOrLoss);
      if (stopOrLoss.aborted) break;
      const started = performance.now();
      const result = await this.attempt(renewedAt + this.renewDeadlineMs);
      if (leading.signal.aborted) break;
      if (result === 'held') {
        renewedAt = started; // counted from when the request left, not when it returned
        armDeadline();
      } else if (result === 'taken') {
        break; // someone else holds a valid lease: we are not the leader, whatever we thought
      }
    }
    clearTimeout(deadline);
    leading.abort();
    await work;
    this.leading = undefined;
    try {
      this.opts.onStoppedLeading?.();
    } catch (err) {
      this.report(err);
    }
    // Release only after the work has returned, so the next leader never overlaps with it.
    if (this.stopping.signal.aborted && this.releaseOnStop) await this.release();
  }

  /** One try to acquire or renew, given up at `deadline` (monotonic ms). */
  private async attempt(deadline: number): Promise<Attempt> {
    const timeoutMs = () => Math.max(1, deadline - performance.now());
    try {
      const lease = await this.read(timeoutMs());
      const now = new Date();
      if (!lease) {
        await this.write('POST', this.record(undefined, now), timeoutMs());
        return 'held';
      }
      const holder = lease.spec?.holderIdentity;
      if (holder && holder !== this.opts.identity && this.observed && performance.now() < this.observed.at + this.leaseDurationMs) {
        return 'taken';
      }
      await this.write('PUT', this.record(lease, now), timeoutMs());
      return 'held';
    } catch (err) {
      if (!isConflict(err)) this.report(err); // a 409 is just a lost race
      return 'failed';
    }
  }

  private record(lease: Lease | undefined, now: Date): Lease {
    const old = lease?.spec ?? {};
    const ours = old.holderIdentity === this.opts.identity;
    return {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: { ...(lease?.metadata ?? {}), name: this.opts.name, namespace: this.opts.namespace },
      spec: {
        holderIdentity: this.opts.identity,
        leaseDurationSeconds: Math.ceil(this.leaseDurationMs / 1000),
        acquireTime: ours && old.acquireTime ? old.acquireTime : microTime(now),
        renewTime: microTime(now),
        leaseTransitions: lease ? (old.leaseTransitions ?? 0) + (ours ? 0 : 1) : 0,
      },
    };
  }

  private async release(): Promise<void> {
    try {
      const lease = await this.read(this.renewDeadlineMs);
      if (lease?.spec?.holderIdentity !== this.opts.identity) return;
      const now = microTime(new Date());
      await this.write(
        'PUT',
        { ...lease, spec: { ...lease.spec, holderIdentity: undefined, leaseDurationSeconds: 1, renewTime: now, acquireTime: now } },
        this.renewDeadlineMs,
      );
    } catch (err) {
      this.report(err);
    }
  }

  private async read(timeoutMs: number): Promise<Lease | undefined> {
    try {
      const lease = await kubeRequest<Lease>(this.kc, { method: 'GET', path: this.path(this.opts.name), timeoutMs });
      this.observe(lease);
      return lease;
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  private async write(method: 'POST' | 'PUT', lease: Lease, timeoutMs: number): Promise<void> {
    const path = method === 'POST' ? this.path() : this.path(this.opts.name);
    this.observe(await kubeRequest<Lease>(this.kc, { method, path, body: lease, timeoutMs }));
  }

  private observe(lease: Lease): void {
    const holder = lease.spec?.holderIdentity || undefined;
    const renewTime = lease.spec?.renewTime;
    if (this.observed && this.observed.holder === holder && this.observed.renewTime === renewTime) return;
    const changedHolder = this.observed?.holder !== holder;
    this.observed = { holder, renewTime, at: performance.now() };
    if (changedHolder) {
      try {
        this.opts.onNewLeader?.(holder);
      } catch (err) {
        this.report(err);
      }
    }
  }

  private path(name?: string): string {
    const base = `/apis/coordination.k8s.io/v1/namespaces/${encodeURIComponent(this.opts.namespace)}/leases`;
    return name ? `${base}/${encodeURIComponent(name)}` : base;
  }

  private report(err: unknown): void {
    try {
      this.opts.onError?.(err);
    } catch {
      // a failing logger must not break the election
    }
  }
}

/** metav1.MicroTime: RFC 3339 with exactly six fractional digits (the server rejects three). */
export function microTime(d: Date): string {
  return d.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}
