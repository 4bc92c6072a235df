// PURE: from what the loop saw and what it recorded, the one next thing to do.
// Order matters and is the safety argument: operations in progress finish first, then a
// failed primary is replaced, then anything writable besides the primary is fenced,
// then errant instances are quarantined (before any switchover could promote one),
// then requested switchovers run, then stray replicas are repointed.
import { errantGtids, formatGtids, lackedGtids, toState, type GtidState } from '../db/gtid.js';
import { replicaHealthy } from './routing.js';
import { downHoldingMore, lackedFrom, pickCandidate, pickFirstPrimary, type CandidateChoice } from './candidate.js';
import { failoverHold } from './flapping.js';
import { primaryHealth, unfenceable } from './detect.js';
import { replicatesFrom } from './topology.js';
import type { Action, ClusterState, InstanceView, Policy, Snapshot } from './types.js';

export interface Requests {
  switchover?: { to?: number };
  rebuild?: number[];
}

export interface DecideInput {
  policy: Policy;
  state: ClusterState;
  snap: Snapshot;
  requests?: Requests;
  /** When the loop last repointed each instance, so a failing repoint is not hammered. */
  lastRepoint?: ReadonlyMap<number, number>;
  /** Per down instance, the most it can hold (candidate.ts downHoldingMore). */
  ceilings?: ReadonlyMap<number, GtidState>;
}

const REPOINT_BACKOFF_MS = 3000;

export function decide(input: DecideInput): Action {
  const { policy, state, snap } = input;
  const op = state.operation;
  if (op?.kind === 'failover') return { kind: 'failover', from: op.from, reason: op.reason, resume: op };
  if (op?.kind === 'switchover') return { kind: 'switchover', from: op.from, to: op.to, resume: op };

  const view = (o: number | null) => snap.instances.find((i) => i.ordinal === o);
  if (state.primary === null) {
    const first = pickFirstPrimary(snap);
    if (!first.ok) return { kind: 'none', reason: first.reason };
    const stray = snap.instances.find((i) => i.ordinal !== first.ordinal && i.status && !i.status.readOnly);
    if (stray) return { kind: 'fence', ordinal: stray.ordinal, reason: `instance ${stray.ordinal} is writable but instance ${first.ordinal} holds more`, restart: mustRestartToFence(stray) };
    return { kind: 'bootstrap', ordinal: first.ordinal };
  }

  const health = primaryHealth(policy, state, snap);
  if (health.state === 'failed') return failoverAction(policy, state, snap, health.reason, input.ceilings ?? new Map());

  // Anything writable that is not the recorded primary is fenced before anything else.
  for (const i of snap.instances) {
    if (i.ordinal !== state.primary && i.status && !i.status.readOnly) {
      return { kind: 'fence', ordinal: i.ordinal, reason: `instance ${i.ordinal} is writable but is not the primary`, restart: mustRestartToFence(i) };
    }
  }

  const primary = view(state.primary);
  if (!primary?.status) return { kind: 'none', reason: health.state === 'suspect' ? health.reason : undefined };

  for (const ordinal of input.requests?.rebuild ?? []) {
    if (ordinal !== state.primary && view(ordinal)) return { kind: 'rebuild', ordinal };
  }

  const reference = primary.status.binlogState;
  const trusted = new Set([primary.status.serverId]);
  const replicas = snap.instances.filter((i) => i.ordinal !== state.primary && i.status && !state.quarantined[i.ordinal] && !i.provisioning);
  for (const i of replicas) {
    const errant = errantGtids(i.status!.binlogState, reference, trusted);
    if (errant.length === 0) continue;
    // When every replica holds what the primary lacks, the primary is what is broken
    // (it lost history); quarantining the healthy majority would be the wrong cure.
    const shared = replicas.length >= 2 && replicas.every((o) => lackedGtids(o.status!.binlogState, new Map(), toState(errant)).length === 0);
    if (shared) return { kind: 'alert', reason: `primary ${state.primary} lacks transactions every replica has (${formatGtids(errant)}): it is broken; switch over or rebuild it` };
    return { kind: 'quarantine', ordinal: i.ordinal, errant: formatGtids(errant) };
  }

  const sw = input.requests?.switchover;
  if (sw) {
    const to = sw.to ?? bestSwitchoverTarget(policy, state, snap);
    const target = view(to ?? null);
    // The request waits (the caller has a deadline) until the target can take over at once.
    if (to === undefined || !target || !replicaHealthy(policy, state, snap, target)) {
      return { kind: 'none', reason: `switchover waiting for ${to === undefined ? 'a healthy replica' : `instance ${to} to be a healthy replica`}` };
    }
    // The target waits for the primary's position during the switchover; anything else
    // another instance holds, it must hold already.
    const lacks = [primary, ...replicas].flatMap((o) => lackedFrom(target, o, trusted));
    if (lacks.length > 0) return { kind: 'none', reason: `switchover waiting: instance ${to} lacks ${formatGtids(lacks)} that other instances hold` };
    return { kind: 'switchover', from: state.primary, to };
  }

  for (const i of snap.instances) {
    if (i.ordinal === state.primary || !i.status || state.quarantined[i.ordinal] || i.provisioning) continue;
    const why = repointReason(i, primary);
    if (!why) continue;
    const last = input.lastRepoint?.get(i.ordinal);
    if (last !== undefined && snap.now - last < REPOINT_BACKOFF_MS) continue;
    return { kind: 'repoint', ordinal: i.ordinal, reason: why };
  }

  const wantSemiSync = policy.semiSync && policy.replicas > 1;
  if (primary.status.semiSyncPrimary !== wantSemiSync) {
    return { kind: 'configurePrimary', ordinal: primary.ordinal, semiSync: wantSemiSync };
  }
  return { kind: 'none', reason: health.state === 'suspect' ? health.reason : undefined };
}

function failoverAction(policy: Policy, state: ClusterState, snap: Snapshot, why: string, ceilings: ReadonlyMap<number, GtidState>): Action {
  const from = state.primary!;
  if (!policy.failoverEnabled) return { kind: 'none', reason: `${why}; automatic failover is disabled`, blocked: true };
  const blocked = unfenceable(state, snap);
  if (blocked.length > 0) {
    return { kind: 'none', reason: `${why}; cannot fence instance(s) ${blocked.map((i) => i.ordinal).join(', ')} (unreachable but maybe running), so no failover`, blocked: true };
  }
  const choice = coveringTheDown(pickCandidate(state, snap, from), snap, from, ceilings);
  if (!choice.ok) return { kind: 'none', reason: `${why}; ${choice.reason}`, blocked: true };
  const hold = failoverHold(policy, state, snap.now, from, choice.ordinal);
  // The failed primary itself restarted holding more than anyone: it takes over again.
  if (!hold) return choice.ordinal === from ? { kind: 'failover', from, reason: why, to: from } : { kind: 'failover', from, reason: why };
  // Held back: the failed primary itself may still come back and take over again.
  const again = coveringTheDown(pickCandidate(state, snap, from, true), snap, from, ceilings);
  if (again.ok && again.ordinal === from) return { kind: 'failover', from, reason: why, to: from };
  return { kind: 'none', reason: `${why}; ${hold}`, blocked: true };
}

/**
 * A candidate that may lack what a down instance acknowledged is no candidate yet. The failed
 * primary itself, restarted keeping its tail, lacks nothing acknowledged: every commit was in
 * its binary log before any replica could acknowledge it (AFTER_SYNC).
 */
function coveringTheDown(choice: CandidateChoice, snap: Snapshot, from: number, ceilings: ReadonlyMap<number, GtidState>): CandidateChoice {
  if (!choice.ok || choice.ordinal === from) return choice;
  const down = downHoldingMore(snap, from, snap.instances.find((i) => i.ordinal === choice.ordinal)!, ceilings);
  if (down.length === 0) return choice;
  return { ok: false, reason: `instance(s) ${down.join(', ')} are down and may hold acknowledged commits instance ${choice.ordinal} lacks; waiting for them to answer` };
}

/**
 * An old primary (semi-sync primary side on) may hold commits waiting for an ack that will
 * never come. Killing those sessions or waiting on read_only would complete them and tell
 * their clients "OK"; killing the process acknowledges nothing, and crash recovery as a
 * replica (init_rpl_role=SLAVE) rolls the unacknowledged tail back.
 */
export function mustRestartToFence(i: InstanceView): boolean {
  return i.status?.semiSyncPrimary === true;
}

function repointReason(i: InstanceView, primary: InstanceView): string | undefined {
  const r = i.status?.replication;
  if (!r) return 'not replicating';
  if (!replicatesFrom(r, primary)) return `replicating from ${r.sourceHost}:${r.sourcePort}, not the primary`;
  // A receiver that stopped on an error needs a person (or a rebuild), not a retry loop.
  if (r.io === 'No' && r.lastIoErrno === 0) return 'replication is stopped';
  if (!r.sqlRunning && !r.lastSqlError) return 'replication is stopped';
  return undefined;
}

/** For a switchover without --to: the healthy replica that is least behind. */
export function bestSwitchoverTarget(policy: Policy, state: ClusterState, snap: Snapshot): number | undefined {
  const candidates = snap.instances.filter((i) => replicaHealthy(policy, state, snap, i));
  const lag = (i: InstanceView) => i.status?.replication?.secondsBehind ?? Infinity;
  candidates.sort((a, b) => lag(a) - lag(b) || a.ordinal - b.ordinal);
  return candidates[0]?.ordinal;
}

/**
 * Why a switchover to `to` is refused outright, or undefined if it may be queued. Passing
 * conditions (a replica still catching up or being repointed) are waited for instead.
 */
export function switchoverRefusal(state: ClusterState, snap: Snapshot, to: number): string | undefined {
  if (state.operation) return `a ${state.operation.kind} is in progress`;
  if (state.primary === null) return 'the cluster has no primary yet';
  if (to === state.primary) return `instance ${to} is already the primary`;
  const target = snap.instances.find((i) => i.ordinal === to);
  if (!target) return `instance ${to} does not exist`;
  if (state.quarantined[to]) return `instance ${to} is quarantined (errant transactions); rebuild it first`;
  if (target.provisioning) return `instance ${to} is still being provisioned`;
  return undefined;
}
