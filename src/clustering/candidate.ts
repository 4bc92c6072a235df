// Who may become the primary after a failure: a reachable instance without errant
// transactions whose received position covers everyone else's, and whose binary log lacks
// nothing another instance's holds. Readiness does not count (a lagging replica that
// received everything is the right choice; it catches up first).
import { errantGtids, formatGtids, lackedGtids, mergePositions, positionCovers, serverIdFor, toState, type Gtid, type GtidPosition, type GtidState } from '../db/gtid.js';
import type { ClusterState, InstanceView, Snapshot } from './types.js';

export type CandidateChoice =
  | { ok: true; ordinal: number; position: GtidPosition }
  | { ok: false; reason: string };

/** Everything an instance holds: applied, plus received but not yet applied. */
export function heldPosition(i: InstanceView): GtidPosition {
  if (!i.status) return new Map();
  return mergePositions(i.status.executed, i.status.replication?.received ?? new Map());
}

/**
 * What `other`'s binary log holds that `candidate` neither holds nor has received: a
 * candidate that lacks it would make `other` look errant once promoted (a clone that
 * lost its seeded history, for example). Servers in `ignore` are not compared.
 */
export function lackedFrom(candidate: InstanceView, other: InstanceView, ignore: ReadonlySet<number> = new Set()): Gtid[] {
  if (!candidate.status || !other.status) return [];
  return lackedGtids(candidate.status.binlogState, candidate.status.replication?.received ?? new Map(), other.status.binlogState, ignore);
}

/** The instances whose held position covers every other's and who lack nothing another holds. */
function coveringEveryone(instances: InstanceView[]): { held: Map<number, GtidPosition>; covering: InstanceView[] } {
  const held = new Map(instances.map((i) => [i.ordinal, heldPosition(i)]));
  const covering = instances.filter((c) =>
    instances.every((o) => positionCovers(held.get(c.ordinal)!, held.get(o.ordinal)!) && lackedFrom(c, o).length === 0));
  return { held, covering };
}

/** `preferFailed`: among equals, the failed primary itself (while a failover is held back). */
export function pickCandidate(state: ClusterState, snap: Snapshot, from: number, preferFailed = false): CandidateChoice {
  const reference = toState(state.primaryBinlogState ?? '');
  // The failed primary's own transactions are never errant, wherever they ended up.
  const trusted = new Set([serverIdFor(from)]);
  const eligible: InstanceView[] = [];
  const excluded: string[] = [];
  // What quarantined instances received may have been acknowledged by them: the new
  // primary must hold it too.
  const mustCover: Array<{ ordinal: number; position: GtidPosition }> = [];
  for (const i of snap.instances) {
    if (!i.status || i.provisioning) continue;
    if (state.quarantined[i.ordinal]) {
      excluded.push(`${i.ordinal} (quarantined)`);
      const received = i.status.replication?.received;
      if (received?.size) mustCover.push({ ordinal: i.ordinal, position: received });
      continue;
    }
    const errant = errantGtids(i.status.binlogState, reference, trusted);
    if (errant.length > 0) {
      excluded.push(`${i.ordinal} (errant ${formatGtids(errant)})`);
      continue;
    }
    eligible.push(i);
  }
  if (eligible.length === 0) {
    return { ok: false, reason: `no instance can be promoted${excluded.length ? `: ${excluded.join(', ')}` : ' (none reachable)'}` };
  }
  const { held, covering } = coveringEveryone(eligible);
  if (covering.length === 0) {
    return { ok: false, reason: 'no instance holds every transaction the others hold (diverged histories); a person must decide' };
  }
  const safe = covering.filter((c) => mustCover.every((q) => positionCovers(held.get(c.ordinal)!, q.position)));
  if (safe.length === 0) {
    const q = mustCover.find((m) => !covering.some((c) => positionCovers(held.get(c.ordinal)!, m.position)))!;
    return { ok: false, reason: `quarantined instance ${q.ordinal} received up to ${formatGtids(q.position.values())}, which no candidate holds (it may have acknowledged those commits); a person must decide` };
  }
  // Prefer a replica over the failed primary itself, then the lowest ordinal: deterministic.
  const last = (i: InstanceView) => Number((i.ordinal === from) !== preferFailed);
  safe.sort((a, b) => last(a) - last(b) || a.ordinal - b.ordinal);
  const chosen = safe[0];
  return { ok: true, ordinal: chosen.ordinal, position: held.get(chosen.ordinal)! };
}

/**
 * Instances that are down now and may have acknowledged commits `candidate` lacks. A replica
 * acknowledges until the moment it fails, so what it holds is bounded only by the primary's
 * binary log as seen after it went down (`ceilings`, kept by the loop). One without that
 * bound (down since before this loop ran, or together with the primary) must answer first.
 * The failed primary `from` is not asked: what it acknowledged, a replica received.
 */
export function downHoldingMore(snap: Snapshot, from: number, candidate: InstanceView, ceilings: ReadonlyMap<number, GtidState>): number[] {
  const have = candidate.status?.binlogState ?? new Map();
  const received = candidate.status?.replication?.received ?? new Map();
  return snap.instances
    .filter((i) => i.ordinal !== from && i.ordinal !== candidate.ordinal && !i.status && i.hasData !== false)
    .filter((i) => {
      const ceiling = ceilings.get(i.ordinal);
      return !ceiling || lackedGtids(have, received, ceiling).length > 0;
    })
    .map((i) => i.ordinal);
}

/**
 * The first primary of a cluster without a recorded one: a new cluster (only instance 0 has
 * data), or a cluster whose record was lost on kept data (its resource deleted and created
 * again, its state file removed). Every instance that may be running must answer first; then
 * the one holding everything the others hold is chosen, the lowest ordinal among equals.
 */
export function pickFirstPrimary(snap: Snapshot): { ok: true; ordinal: number } | { ok: false; reason: string } {
  // A server that may be running, or that has data and will start, may hold the most.
  const waiting = snap.instances.filter((i) => !i.status && (i.hasData || (!i.provisioning && i.processRunning !== false)));
  if (waiting.length > 0) return { ok: false, reason: `waiting for instance(s) ${waiting.map((i) => i.ordinal).join(', ')} to answer before choosing the first primary` };
  const reachable = snap.instances.filter((i) => i.status && !i.provisioning);
  if (reachable.length === 0) return { ok: false, reason: 'waiting for instance 0 to start' };
  const { covering } = coveringEveryone(reachable);
  if (covering.length === 0) {
    return { ok: false, reason: `no instance holds every transaction the others hold (${reachable.map((i) => `${i.ordinal}: ${formatGtids(i.status!.binlogState.values()) || 'empty'}`).join('; ')}); a person must decide` };
  }
  // A writable one is the primary whose record was lost: keep it. Else the lowest ordinal.
  covering.sort((a, b) => Number(a.status!.readOnly) - Number(b.status!.readOnly) || a.ordinal - b.ordinal);
  return { ok: true, ordinal: covering[0].ordinal };
}
