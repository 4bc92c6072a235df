// Carry out one decided action, step by step. Every step is idempotent and the state that
// matters (the operation in progress, the recorded primary) is saved before the step that
// depends on it, so a loop killed at any point resumes from the saved state and finishes.
import { formatGtids } from '../db/gtid.js';
import type { DbConnector, InstanceDb } from '../db/instance-db.js';
import { pickCandidate } from './candidate.js';
import { mustRestartToFence } from './decide.js';
import { byOrdinal } from './observe.js';
import type { Platform } from './platform.js';
import type { Action, ClusterState, FailoverOperation, InstanceView, Policy, Snapshot, SwitchoverOperation } from './types.js';

export interface Logger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export interface OperationContext {
  platform: Platform;
  policy: Policy;
  state: ClusterState;
  log: Logger;
  observe(): Promise<Snapshot>;
  /**
   * Reaches one instance; real servers in production, an in-memory cluster in unit tests.
   * It and `platform` come gated (gate.ts): no act once the loop stopped or lost leadership.
   */
  db: DbConnector;
  /** Test hook: dies here when ORDINAL_FAULT names this point (see docs/operations.md). */
  fault(point: string): void;
}

/** How long a candidate may take to apply what it received before the failover gives up. */
const CATCH_UP_SECONDS = 60;
/** How long a switchover target may take to catch up before the switchover is rolled back. */
const SWITCHOVER_CATCH_UP_SECONDS = 10;
/**
 * How long STOP SLAVE may take beyond the connect timeout of the replica's receiver. Against a
 * frozen primary it waits for rpl_semi_sync_slave_kill_conn_timeout (1 s); against a receiver
 * that is connecting to an address nobody answers (a deleted pod's IP) it waits for the
 * connect to time out, and the receiver's connect timeout is slave_net_timeout, the detection
 * window. A shorter deadline failed the whole failover just before the fence would have held.
 */
const FENCE_MARGIN_MS = 2000;

/** One instance, for one step. */
function on(ctx: OperationContext, i: InstanceView, deadlineMs = 5000): InstanceDb {
  return ctx.db(i.endpoint, { deadlineMs });
}

async function save(ctx: OperationContext): Promise<void> {
  await ctx.platform.saveState(ctx.state);
}

export async function execute(ctx: OperationContext, action: Action, snap: Snapshot): Promise<void> {
  switch (action.kind) {
    case 'none':
      return;
    case 'bootstrap':
      return bootstrap(ctx, snap, action.ordinal);
    case 'failover':
      return failover(ctx, action.resume ?? { kind: 'failover', from: action.from, to: action.to, reason: action.reason, startedAt: snap.now }, snap);
    case 'switchover':
      return switchover(ctx, action.resume ?? { kind: 'switchover', from: action.from, to: action.to, startedAt: snap.now });
    case 'fence':
      return fence(ctx, byOrdinal(snap, action.ordinal)!, action.reason, action.restart);
    case 'alert':
      return;
    case 'quarantine':
      ctx.state.quarantined[action.ordinal] = { reason: 'errant transactions', errant: action.errant, since: snap.now };
      await save(ctx);
      // A receiving replica acknowledges semi-sync commits, alone if the others are slow:
      // a quarantined one must not, since it is never promoted.
      await on(ctx, byOrdinal(snap, action.ordinal)!).stopReplication().catch((err) =>
        ctx.log.warn({ ordinal: action.ordinal, err: (err as Error).message }, 'could not stop the quarantined replica; the loop retries'));
      ctx.platform.event({ type: 'Warning', reason: 'ErrantTransactions', message: `instance ${action.ordinal} has transactions the primary does not have (${action.errant}); it is quarantined: never promoted, never routed. Rebuild it to rejoin.` });
      return;
    case 'repoint': {
      const primary = byOrdinal(snap, ctx.state.primary!)!;
      ctx.log.info({ ordinal: action.ordinal, reason: action.reason }, 'repointing replica');
      await on(ctx, byOrdinal(snap, action.ordinal)!).replicateFrom(ctx.platform.replicationSource(primary));
      return;
    }
    case 'configurePrimary':
      await on(ctx, byOrdinal(snap, action.ordinal)!).setSemiSyncPrimary(action.semiSync);
      return;
    case 'rebuild':
      ctx.platform.event({ type: 'Normal', reason: 'Rebuild', message: `rebuilding instance ${action.ordinal} from a fresh clone` });
      await ctx.platform.rebuild(action.ordinal);
      delete ctx.state.quarantined[action.ordinal];
      await save(ctx);
      return;
  }
}

async function bootstrap(ctx: OperationContext, snap: Snapshot, ordinal: number): Promise<void> {
  const i = byOrdinal(snap, ordinal)!;
  // A first primary chosen on kept data applies what it received before anything else.
  await applyRelayLog(ctx, i);
  await on(ctx, i).promote(ctx.policy.semiSync && ctx.policy.replicas > 1);
  ctx.state.primary = ordinal;
  ctx.state.epoch += 1;
  await save(ctx);
  ctx.platform.event({ type: 'Normal', reason: 'Bootstrapped', message: `instance ${ordinal} is the first primary` });
}

/** Make an instance read-only, killing client sessions; if it will not obey, restart it. */
async function fence(ctx: OperationContext, i: InstanceView, reason: string, restart: boolean): Promise<void> {
  ctx.log.warn({ ordinal: i.ordinal, reason, restart }, 'fencing');
  if (restart) {
    await ctx.platform.restart(i.ordinal);
    ctx.platform.event({ type: 'Warning', reason: 'Fenced', message: `instance ${i.ordinal} killed and restarted read-only (it was a primary): ${reason}` });
    return;
  }
  try {
    await on(ctx, i, 2000).makeReadOnly();
    ctx.platform.event({ type: 'Warning', reason: 'Fenced', message: `instance ${i.ordinal} made read-only: ${reason}` });
  } catch (err) {
    ctx.log.warn({ ordinal: i.ordinal, err: (err as Error).message }, 'fence by SQL failed; restarting the instance');
    await ctx.platform.restart(i.ordinal);
    ctx.platform.event({ type: 'Warning', reason: 'Fenced', message: `instance ${i.ordinal} restarted (read-only): ${reason}` });
  }
}

async function failover(ctx: OperationContext, op: FailoverOperation, seen: Snapshot): Promise<void> {
  const { platform, state } = ctx;
  const steps = stepClock();
  // Routing away is always safe, so it starts at once and runs beside the record and the
  // fence (on Kubernetes it is an API write or two); both are done before anything goes on.
  const routeAway = async () => platform.route({ readWrite: null, readOnly: [] });
  const [fenced, away] = await Promise.allSettled([routeAway(), recordAndFence(ctx, op, seen, steps)]);
  if (away.status === 'rejected') throw away.reason;
  if (fenced.status === 'rejected') throw fenced.reason;
  steps.mark('routed-away');
  ctx.fault('failover:fenced');

  let snap = await ctx.observe(); // received positions are final now
  if (op.to === undefined) {
    const choice = pickCandidate(state, snap, op.from);
    if (!choice.ok) {
      // Nobody else can take over: the failed primary, which holds at least what it
      // acknowledged, is the only safe choice. It is let back up (keeping its tail).
      if (byOrdinal(snap, op.from)?.status) throw new Error(`failover: ${choice.reason}`);
      op.to = op.from;
      state.operation = op;
      await save(ctx);
      throw new Error(`failover: ${choice.reason}; waiting for instance ${op.from} to restart and take over again`);
    }
    op.to = choice.ordinal;
    state.operation = op;
    await save(ctx);
  }
  const target = byOrdinal(snap, op.to);
  if (!target?.status) throw new Error(`failover: candidate ${op.to} became unreachable`);
  steps.mark('chosen');
  ctx.fault('failover:chosen');

  await applyRelayLog(ctx, target);
  steps.mark('caught-up');
  ctx.fault('failover:caught-up');

  await recordPrimary(ctx, op.to, op.to !== op.from ? 'failover' : 'recovery');
  steps.mark('recorded');
  ctx.fault('failover:recorded');
  await promoteAndRoute(ctx, target);
  steps.mark('promoted');
  ctx.fault('failover:promoted');
  snap = await ctx.observe();
  await repointAll(ctx, snap, op.to, [op.from]);
  steps.mark('repointed');
  await finish(ctx, snap);
  steps.mark('finished');
  ctx.log.info({ from: op.from, to: op.to, ms: steps.done() }, 'failover steps');
  platform.event(op.to === op.from
    ? { type: 'Warning', reason: 'PrimaryRecovered', message: `instance ${op.to} is the primary again: it restarted holding every transaction the others hold (${op.reason})` }
    : { type: 'Warning', reason: 'FailedOver', message: `instance ${op.to} is the primary (was ${op.from}): ${op.reason}` });
}

/** Record the operation, then make sure no replica receives anything more from the old primary. */
async function recordAndFence(ctx: OperationContext, op: FailoverOperation, seen: Snapshot, steps: StepClock): Promise<void> {
  const { platform, state } = ctx;
  if (!state.operation) {
    state.operation = op;
    await save(ctx);
    platform.event({ type: 'Warning', reason: 'FailoverStarted', message: op.reason });
  }
  ctx.log.warn({ from: op.from, to: op.to, reason: op.reason }, 'failover');
  steps.mark('started');
  ctx.fault('failover:started');

  // A silent old primary may only be frozen, or be recovering a tail it must not keep if
  // another instance takes over. Where the platform can, it is killed first: it starts again
  // once the new primary is recorded, rolling its unacknowledged tail back. Killing it first
  // also spares every later step the wait on a frozen server (observations, and the
  // replicas' kill connection when they stop receiving).
  const silent = (i: InstanceView | undefined) => !!i && !i.status && i.processRunning !== false && op.to !== op.from;
  if (silent(byOrdinal(seen, op.from))) await killOldPrimary(ctx, op.from);

  // Fence: no replica may receive (and so acknowledge) anything more from the old primary.
  // In parallel: against a frozen primary each STOP SLAVE waits for its kill connection.
  const snap = await ctx.observe();
  await Promise.all(snap.instances.map(async (i) => {
    if (i.ordinal === op.from || i.provisioning) return;
    if (i.status?.replication) await on(ctx, i, ctx.policy.detectionWindowMs + FENCE_MARGIN_MS).stopReceiving();
    else if (!i.status && i.processRunning !== false) throw new Error(`cannot fence instance ${i.ordinal}: ${i.error}`);
  }));
  const old = byOrdinal(snap, op.from);
  if (old?.status && !old.status.readOnly && op.to !== op.from) await fence(ctx, old, 'it was the primary before the failover', mustRestartToFence(old));
  if (silent(old)) await killOldPrimary(ctx, op.from);
  steps.mark('fenced');
}

/**
 * Wait until an instance about to be promoted applied what it received, before it writes
 * anything new. Replication is not restarted: in GTID mode that discards the relay log
 * (MDEV-4698).
 */
async function applyRelayLog(ctx: OperationContext, i: InstanceView): Promise<void> {
  const received = i.status?.replication?.received;
  if (!received?.size) return;
  const done = await on(ctx, i, (CATCH_UP_SECONDS + 5) * 1000).waitForGtid(formatGtids(received.values()), CATCH_UP_SECONDS);
  if (!done) throw new Error(`instance ${i.ordinal} did not apply its relay log within ${CATCH_UP_SECONDS} s`);
}

/**
 * Make the recorded primary writable and route clients to it at once: on Kubernetes the
 * route takes a while to reach kube-proxy, time the replicas' repointing then overlaps.
 */
async function promoteAndRoute(ctx: OperationContext, target: InstanceView): Promise<void> {
  await on(ctx, target).promote(ctx.policy.semiSync && ctx.policy.replicas > 1);
  await ctx.platform.route({ readWrite: target.ordinal, readOnly: [] });
}

/** How long each step of an operation took (ms from the previous mark), for the log. */
type StepClock = { mark(step: string): void; done(): Record<string, number> };

function stepClock(): StepClock {
  const out: Record<string, number> = {};
  let last = Date.now();
  return {
    mark(step) {
      const now = Date.now();
      out[step] = now - last;
      last = now;
    },
    done: () => out,
  };
}

async function killOldPrimary(ctx: OperationContext, ordinal: number): Promise<void> {
  await ctx.platform.restart(ordinal);
  ctx.platform.event({ type: 'Warning', reason: 'Fenced', message: `instance ${ordinal} (unreachable old primary) killed; it restarts read-only once the new primary is recorded` });
}

async function switchover(ctx: OperationContext, op: SwitchoverOperation): Promise<void> {
  const { platform, state } = ctx;
  if (!state.operation) {
    state.operation = op;
    await save(ctx);
    platform.event({ type: 'Normal', reason: 'SwitchoverStarted', message: `moving the primary from instance ${op.from} to ${op.to}` });
  }
  ctx.log.info({ from: op.from, to: op.to }, 'switchover');
  await platform.route({ readWrite: null, readOnly: [] });
  let snap = await ctx.observe();
  const target = byOrdinal(snap, op.to);
  if (!target?.status) return abortSwitchover(ctx, op, `instance ${op.to} is unreachable`);

  if (state.primary === op.from) {
    const old = byOrdinal(snap, op.from);
    if (!old?.status) return abortSwitchover(ctx, op, `primary ${op.from} is unreachable`);
    const position = await on(ctx, old).makeReadOnly();
    ctx.fault('switchover:read-only');
    const caughtUp = await on(ctx, target, (SWITCHOVER_CATCH_UP_SECONDS + 5) * 1000).waitForGtid(position, SWITCHOVER_CATCH_UP_SECONDS);
    if (!caughtUp) return abortSwitchover(ctx, op, `instance ${op.to} did not catch up within ${SWITCHOVER_CATCH_UP_SECONDS} s`);
    await recordPrimary(ctx, op.to, 'switchover');
  }
  ctx.fault('switchover:recorded');
  await promoteAndRoute(ctx, target);
  snap = await ctx.observe();
  await repointAll(ctx, snap, op.to, []);
  await finish(ctx, snap);
  platform.event({ type: 'Normal', reason: 'SwitchedOver', message: `instance ${op.to} is the primary (was ${op.from})` });
}

async function abortSwitchover(ctx: OperationContext, op: SwitchoverOperation, why: string): Promise<void> {
  const snap = await ctx.observe();
  const old = byOrdinal(snap, op.from);
  if (ctx.state.primary === op.from && old?.status) await on(ctx, old).makeWritable();
  delete ctx.state.operation;
  await save(ctx);
  await finish(ctx, snap);
  ctx.platform.event({ type: 'Warning', reason: 'SwitchoverAborted', message: why });
  throw new Error(`switchover to ${op.to} aborted: ${why}`);
}

async function recordPrimary(ctx: OperationContext, ordinal: number, kind: 'failover' | 'switchover' | 'recovery'): Promise<void> {
  const { state } = ctx;
  if (state.primary === ordinal) {
    const op = state.operation;
    if (kind === 'recovery' && op?.kind === 'failover' && !op.recovered) {
      op.recovered = true;
      state.recoveries += 1;
      await save(ctx);
    }
    return;
  }
  state.primary = ordinal;
  state.epoch += 1;
  if (kind === 'failover') {
    state.failovers += 1;
    state.lastFailoverAt = Date.now();
  } else if (kind === 'switchover') state.switchovers += 1;
  await save(ctx);
}

/** Point every other reachable, non-quarantined instance at the new primary (best effort). */
async function repointAll(ctx: OperationContext, snap: Snapshot, primary: number, oldPrimaries: number[]): Promise<void> {
  const p = byOrdinal(snap, primary)!;
  const source = ctx.platform.replicationSource(p);
  await Promise.all(
    snap.instances
      .filter((i) => i.ordinal !== primary && i.status && !ctx.state.quarantined[i.ordinal] && !i.provisioning)
      // A returning old primary is checked for errant transactions by the loop first.
      .filter((i) => !oldPrimaries.includes(i.ordinal))
      .map((i) =>
        on(ctx, i).replicateFrom(source).catch((err) =>
          ctx.log.warn({ ordinal: i.ordinal, err: (err as Error).message }, 'repoint failed; the loop will retry'),
        ),
      ),
  );
}

async function finish(ctx: OperationContext, snap: Snapshot): Promise<void> {
  delete ctx.state.operation;
  const primary = byOrdinal(snap, ctx.state.primary!);
  if (primary?.status) ctx.state.primaryBinlogState = formatGtids(primary.status.binlogState.values());
  await save(ctx);
  const replicas = snap.instances.filter((i) => i.ordinal !== ctx.state.primary && i.status && !ctx.state.quarantined[i.ordinal]).map((i) => i.ordinal);
  await ctx.platform.route({ readWrite: ctx.state.primary, readOnly: replicas.length ? replicas : [ctx.state.primary!] });
}
