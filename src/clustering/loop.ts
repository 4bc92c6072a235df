// One long-lived loop per cluster: observe every instance, decide one action, carry it
// out, route clients, publish a summary. Ticks never overlap, so two failovers can never
// race; requests (switchover, rebuild) are picked up by the next tick.
import { formatGtids, serverIdFor, toState, type GtidState } from '../db/gtid.js';
import { sqlConnector, type DbConnector } from '../db/instance-db.js';
import { decide, switchoverRefusal, type Requests } from './decide.js';
import { observe } from './observe.js';
import { execute, type Logger } from './operations.js';
import type { Platform } from './platform.js';
import { recoveredNow } from './flapping.js';
import { computeRoutes } from './routing.js';
import { startMode } from './start-mode.js';
import { gatedConnector, gatedPlatform } from './gate.js';
import { summarize, type ClusterSummary } from './summary.js';
import type { Action, ClusterState, Policy, Snapshot } from './types.js';

export interface LoopOptions {
  tickMs: number;
  observeDeadlineMs: number;
  fault?: (point: string) => void;
  /** How instances are reached (default: SQL as the operator account). */
  db?: DbConnector;
  /** False once this process may no longer act (its operator lost the Lease): checked before every act. */
  mayAct?: () => boolean;
  /** Told the summary after every tick (the operator writes the status when it changed). */
  onTick?: (summary: ClusterSummary) => void;
}

interface Waiter {
  done: (state: ClusterState) => boolean;
  expired?: () => void;
  resolve: () => void;
  reject: (e: Error) => void;
  deadline: number;
}

export class ClusterLoop {
  private stopped = false;
  private readonly abort = new AbortController();
  /** Ends the wait before the next tick; `woken` asks for one more tick at once when a tick runs. */
  private wakeUp?: () => void;
  private woken = false;
  /** Ends the tick's observation early: what it is waiting for (a deleted pod's IP) changed. */
  private staleObservation?: () => void;
  private readonly db: DbConnector;
  private running?: Promise<void>;
  private unreachableSince = new Map<number, number>();
  private lastRepoint = new Map<number, number>();
  /** Per down instance, the writing primary's binary log seen after it went down: the most it can hold. */
  private ceilings = new Map<number, GtidState>();
  private seenDown = new Set<number>();
  private requests: Requests = {};
  private waiters: Waiter[] = [];
  private last?: { snap: Snapshot; action: Action; summary: ClusterSummary };
  private lastError?: string;
  /** The reason of the current alert or blocked failover, so each is reported once. */
  private reported?: string;

  /** The platform and the instances, every act through the gate (gate.ts). */
  private readonly platform: Platform;

  constructor(
    platform: Platform,
    private policy: Policy,
    readonly state: ClusterState,
    private readonly log: Logger,
    private readonly opts: LoopOptions,
  ) {
    const checkpoint = () => this.checkpoint();
    this.platform = gatedPlatform(platform, checkpoint);
    this.db = gatedConnector(opts.db ?? sqlConnector(() => platform.operatorCredentials()), checkpoint);
  }

  /** Throws once the loop was told to stop or may no longer act; the first such check ends it. */
  private checkpoint(): void {
    if (!this.abort.signal.aborted && this.opts.mayAct && !this.opts.mayAct()) {
      this.abort.abort(new Error('this operator no longer holds the leader Lease; it does not act'));
    }
    this.abort.signal.throwIfAborted();
  }

  setPolicy(policy: Policy): void {
    this.policy = policy;
  }

  start(): void {
    this.running ??= this.run();
  }

  /** No step of an operation starts after this; resolves when the current tick has ended. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.abort.abort(new Error('the HA loop is stopping'));
    this.wakeUp?.();
    await this.running;
  }

  summary(): ClusterSummary | undefined {
    return this.last?.summary;
  }

  /** The primary failed and no failover can run now (see start-mode.ts). */
  failoverBlocked(): boolean {
    const a = this.last?.action;
    return a?.kind === 'none' && a.blocked === true;
  }

  /** Resolves when the switchover is done; rejects with the reason it was refused or aborted. */
  switchover(to: number | undefined, timeoutMs = 30_000): Promise<void> {
    const snap = this.last?.snap;
    if (!snap) return Promise.reject(new Error('the cluster has not been observed yet'));
    if (to !== undefined) {
      const refusal = switchoverRefusal(this.state, snap, to);
      if (refusal) return Promise.reject(new Error(`switchover refused: ${refusal}`));
    }
    const from = this.state.primary;
    this.requests.switchover = { to };
    const why = () => this.last?.summary.message ?? 'no progress';
    return this.waitFor((s) => s.primary !== from && !s.operation, timeoutMs, () => {
      delete this.requests.switchover;
      throw new Error(`switchover not done within ${timeoutMs / 1000} s: ${why()}`);
    });
  }

  rebuild(ordinal: number, timeoutMs = 600_000): Promise<void> {
    if (ordinal === this.state.primary) return Promise.reject(new Error(`instance ${ordinal} is the primary; switch over first`));
    this.requests.rebuild = [...(this.requests.rebuild ?? []), ordinal];
    return this.waitFor(() => !(this.requests.rebuild ?? []).includes(ordinal), timeoutMs);
  }

  private waitFor(done: (s: ClusterState) => boolean, timeoutMs: number, expired?: () => void): Promise<void> {
    return new Promise((resolve, reject) => this.waiters.push({ done, expired, resolve, reject, deadline: Date.now() + timeoutMs }));
  }

  private async run(): Promise<void> {
    while (!this.stopped && !this.abort.signal.aborted) {
      const started = Date.now();
      await this.tick();
      const wait = this.woken ? 0 : Math.max(0, this.opts.tickMs - (Date.now() - started));
      this.woken = false;
      if (!this.stopped) {
        await new Promise<void>((r) => {
          const t = setTimeout(() => this.wakeUp?.(), wait);
          this.wakeUp = () => { clearTimeout(t); this.wakeUp = undefined; r(); };
        });
      }
    }
  }

  /**
   * Tick now instead of at the next interval: the platform saw an instance change (a pod
   * deleted or its container stopped), so a failed primary is detected without waiting.
   */
  wake(): void {
    if (this.wakeUp) this.wakeUp();
    else {
      this.woken = true;
      this.staleObservation?.();
    }
  }

  async tick(): Promise<void> {
    let action: Action = { kind: 'none' };
    try {
      const snap = await this.observeFresh();
      await this.rememberPrimaryState(snap);
      this.boundTheDown(snap);
      action = decide({ policy: this.policy, state: this.state, snap, requests: this.requests, lastRepoint: this.lastRepoint, ceilings: this.ceilings });
      this.last = { snap, action, summary: summarize(this.policy, this.state, snap, action.kind === 'none' ? action.reason : describe(action)) };
      this.report(action);
      if (action.kind !== 'none' && action.kind !== 'alert') this.log.info({ action }, 'acting');
      if (action.kind === 'repoint') this.lastRepoint.set(action.ordinal, snap.now);
      if (action.kind === 'switchover') delete this.requests.switchover;
      await execute(this.operationContext(), action, snap);
      if (action.kind === 'rebuild') {
        const done = action.ordinal;
        this.requests.rebuild = (this.requests.rebuild ?? []).filter((o) => o !== done);
      }
      const after = action.kind === 'none' ? snap : await this.observe();
      await this.platform.route(computeRoutes(this.policy, this.state, after));
      const summary = summarize(this.policy, this.state, after, action.kind === 'none' || action.kind === 'alert' ? action.reason : undefined);
      this.last = { snap: after, action, summary };
      if (recoveredNow(this.state, summary.phase === 'Running')) {
        this.state.lastRecoveredAt = after.now;
        await this.platform.saveState(this.state);
      }
      this.lastError = undefined;
    } catch (err) {
      const message = (err as Error).message;
      if (message !== this.lastError) this.log.error({ action: action.kind, err: message }, 'action failed; will retry');
      this.lastError = message;
      if (action.kind === 'switchover' && !this.state.operation) this.settle(new Error(message));
      if (this.last) this.last.summary.message = message;
    }
    try {
      this.offerStarts();
    } catch {
      // Only the gate throws here: the loop is ending.
    }
    this.settle();
    if (this.last) this.opts.onTick?.(this.last.summary);
  }

  /** Every instance whose server is down learns how it may start, from the state as it is now. */
  private offerStarts(): void {
    const snap = this.last?.snap;
    if (!snap || !this.platform.offerStart) return;
    for (const i of snap.instances) {
      if (i.status || i.provisioning) continue;
      const { mode, why } = startMode({ ordinal: i.ordinal, state: this.state, crashedAsPrimary: this.state.primary === i.ordinal, failoverBlocked: this.failoverBlocked() });
      this.platform.offerStart(i.ordinal, mode, why);
    }
  }

  private settle(error?: Error): void {
    const now = Date.now();
    this.waiters = this.waiters.filter((w) => {
      if (error) w.reject(error);
      else if (w.done(this.state)) w.resolve();
      else if (now > w.deadline) {
        try {
          w.expired?.();
          w.reject(new Error('timed out waiting for the cluster'));
        } catch (err) {
          w.reject(err as Error);
        }
      }
      else return true;
      return false;
    });
  }

  /**
   * An observation woken during its run looks again at once, once: a connect to a pod that was
   * just deleted would otherwise hold the tick (and the failover) for the whole deadline. The
   * first one is read-only and ends at its own deadline; its answer is dropped, and so are its
   * "unreachable since" times (it keeps them apart until it wins).
   */
  private async observeFresh(): Promise<Snapshot> {
    const since = new Map(this.unreachableSince);
    const first = this.observe(since);
    const woken = new Promise<undefined>((r) => (this.staleObservation = () => r(undefined)));
    try {
      const snap = await Promise.race([first, woken]);
      if (snap) {
        this.unreachableSince = since;
        return snap;
      }
      first.catch(() => {});
      this.woken = false; // this wake is answered by the observation that follows
      return await this.observe();
    } finally {
      this.staleObservation = undefined;
    }
  }

  private observe(unreachableSince = this.unreachableSince): Promise<Snapshot> {
    return observe(this.platform, { db: this.db, deadlineMs: this.opts.observeDeadlineMs, unreachableSince });
  }

  private operationContext() {
    return {
      platform: this.platform,
      policy: this.policy,
      state: this.state,
      log: this.log,
      observe: () => this.observe(),
      db: this.db,
      fault: this.opts.fault ?? (() => {}),
    };
  }

  /**
   * The errant-check reference for a future failover: the healthy primary's binlog state.
   * Saved only when it changes beyond the primary's own transactions, which a failover from
   * it trusts anyway: under writes, saving every new GTID wrote the state every tick.
   */
  private async rememberPrimaryState(snap: Snapshot): Promise<void> {
    const p = snap.instances.find((i) => i.ordinal === this.state.primary);
    if (!p?.status || p.status.readOnly || this.state.operation) return;
    const text = formatGtids(p.status.binlogState.values());
    if (text === this.state.primaryBinlogState) return;
    const own = serverIdFor(p.ordinal);
    const others = (t: string) => formatGtids([...toState(t).values()].filter((g) => g.server !== own));
    const material = others(text) !== others(this.state.primaryBinlogState ?? '');
    this.state.primaryBinlogState = text;
    if (material) await this.platform.saveState(this.state);
  }

  /**
   * A replica acknowledges until it fails, so after it went down the writing primary's binary
   * log bounds what it holds. The instances of one tick are observed in parallel, so only a
   * primary seen on a later tick than the first one without an answer was seen after it.
   */
  private boundTheDown(snap: Snapshot): void {
    const p = snap.instances.find((i) => i.ordinal === this.state.primary);
    const writing = p?.status && !p.status.readOnly && !this.state.operation ? p.status.binlogState : undefined;
    for (const i of snap.instances) {
      if (i.status) {
        this.ceilings.delete(i.ordinal);
        this.seenDown.delete(i.ordinal);
        continue;
      }
      if (i.ordinal === this.state.primary || this.ceilings.has(i.ordinal)) continue;
      if (writing && this.seenDown.has(i.ordinal)) this.ceilings.set(i.ordinal, writing);
      this.seenDown.add(i.ordinal);
    }
  }

  /** An alert, or a failover that cannot run, becomes one Event when it starts. */
  private report(action: Action): void {
    const problem = action.kind === 'alert' ? action : action.kind === 'none' && action.blocked ? action : undefined;
    if (!problem) {
      this.reported = undefined;
      return;
    }
    // Countdowns change every tick; the reason without its numbers is what is reported once.
    const key = `${problem.kind}:${(problem.reason ?? '').replace(/[\d.]+ s/g, '')}`;
    if (key === this.reported) return;
    this.reported = key;
    this.platform.event({ type: 'Warning', reason: problem.kind === 'alert' ? 'BrokenPrimary' : 'FailoverBlocked', message: problem.reason ?? '' });
  }
}

function describe(a: Action): string {
  switch (a.kind) {
    case 'failover': return `failing over from ${a.from}: ${a.reason}`;
    case 'switchover': return `switching over from ${a.from} to ${a.to}`;
    case 'fence': return a.reason;
    case 'repoint': return `repointing ${a.ordinal}: ${a.reason}`;
    default: return a.kind;
  }
}
