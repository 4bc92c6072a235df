// Who may become the primary after a failure: a reachable instance without errant
// transactions whose received position covers everyone else's. Readiness does not count
// (a lagging replica that received everything is the right choice; it catches up first).
import { errantGtids, formatGtids, mergePositions, positionCovers, toState, type GtidPosition } from '../db/gtid.js';
import { serverIdFor } from '../db/server-config.js';
import type { ClusterState, InstanceView, Snapshot } from './types.js';

export type CandidateChoice =
  | { ok: true; ordinal: number; position: GtidPosition }
  | { ok: false; reason: string };

/** Everything an instance holds: applied, plus received but not yet applied. */
export function heldPosition(i: InstanceView): GtidPosition {
  if (!i.status) return new Map();
  return mergePositions(i.status.executed, i.status.replication?.received ?? new Map());
}

export function pickCandidate(state: ClusterState, snap: Snapshot, from: number): CandidateChoice {
  const reference = toState(state.primaryBinlogState ?? '');
  // The failed primary's own transactions are never errant, wherever they ended up.
  const trusted = new Set([serverIdFor(from)]);
  const eligible: InstanceView[] = [];
  const excluded: string[] = [];
  for (const i of snap.instances) {
    if (!i.status || i.provisioning) continue;
    if (state.quarantined[i.ordinal]) {
      excluded.push(`${i.ordinal} (quarantined)`);
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
  const held = new Map(eligible.map((i) => [i.ordinal, heldPosition(i)]));
  const covering = eligible.filter((c) => eligible.every((o) => positionCovers(held.get(c.ordinal)!, held.get(o.ordinal)!)));
  if (covering.length === 0) {
    return { ok: false, reason: 'no instance holds every transaction the others hold (diverged domains); a person must decide' };
  }
  // Prefer a replica over the failed primary itself, then the lowest ordinal: deterministic.
  covering.sort((a, b) => Number(a.ordinal === from) - Number(b.ordinal === from) || a.ordinal - b.ordinal);
  const chosen = covering[0];
  return { ok: true, ordinal: chosen.ordinal, position: held.get(chosen.ordinal)! };
}
