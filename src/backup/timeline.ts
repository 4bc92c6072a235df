// PURE: the cluster's history as the archive holds it, and what a replay needs from it.
// Segments from different servers overlap (a replica's binary log holds what it replicated,
// and a new primary's older files are archived once it is primary). Where they overlap, the
// segment closed last wins: after a failover, the old primary's unreplicated tail (never
// acknowledged) is in a file closed before the new primary's file that replaced it.
import type { Segment } from './segment.js';

/** A run of transactions (after `after`, through `through`, by sequence number) from one segment. */
export interface Piece {
  segment: Segment;
  after: number;
  through: number;
}

/** Each sequence number assigned to the newest segment holding it; pieces in order. */
export function timeline(segments: Segment[]): Piece[] {
  const newestFirst = [...segments].sort((a, b) => Date.parse(b.closedAt) - Date.parse(a.closedAt) || b.lastSeq - a.lastSeq || b.serverId - a.serverId);
  let taken: Array<[number, number]> = [];
  const pieces: Piece[] = [];
  for (const s of newestFirst) {
    for (const [from, to] of subtract([s.firstSeq, s.lastSeq], taken)) {
      pieces.push({ segment: s, after: from - 1, through: to });
      taken = merged([...taken, [from, to]]);
    }
  }
  return pieces.sort((a, b) => a.after - b.after);
}

/**
 * Disjoint intervals, adjacent ones joined: an unbroken history stays one interval, so the
 * archiver's round over thousands of segments does not compare each with every other.
 */
function merged(intervals: Array<[number, number]>): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (const [a, b] of [...intervals].sort((x, y) => x[0] - y[0])) {
    const last = out[out.length - 1];
    if (last && a <= last[1] + 1) last[1] = Math.max(last[1], b);
    else out.push([a, b]);
  }
  return out;
}

/** The parts of [from, to] that no interval in `taken` holds. */
function subtract([from, to]: [number, number], taken: Array<[number, number]>): Array<[number, number]> {
  let parts: Array<[number, number]> = [[from, to]];
  for (const [a, b] of taken) {
    parts = parts.flatMap(([x, y]): Array<[number, number]> => {
      if (b < x || a > y) return [[x, y]];
      const out: Array<[number, number]> = [];
      if (a > x) out.push([x, a - 1]);
      if (b < y) out.push([b + 1, y]);
      return out;
    });
  }
  return parts;
}

/** The archive's head: complete through sequence number `seq` until time `at` (see archiver.ts). */
export interface Head {
  serverId: number;
  seq: number;
  /** The GTID at `seq` (which server wrote it). */
  last?: string;
  at: string;
}

export interface Chain {
  /** The pieces that continue the history after `from`, without a gap. */
  pieces: Piece[];
  /** The last sequence number the chain reaches (`from` when it reaches nothing). */
  through: number;
  /** Every transaction stamped before this time is in the chain (undefined: nothing archived after `from`). */
  recoverableUntil?: string;
  /** The first missing run, when the archive has more after a hole. */
  gap?: { after: number; before: number };
}

/** The unbroken history after sequence number `from`; the head extends its time when it ends there. */
export function chainFrom(pieces: Piece[], from: number, head?: Head): Chain {
  const chain: Piece[] = [];
  let at = from;
  let recoverableUntil: string | undefined;
  for (const p of pieces) {
    if (p.through <= at) continue;
    if (p.after > at) return { pieces: chain, through: at, recoverableUntil, gap: { after: at, before: p.after + 1 } };
    chain.push({ ...p, after: at });
    at = p.through;
    recoverableUntil = p.segment.closedAt;
  }
  if (head && head.seq === at && (!recoverableUntil || Date.parse(head.at) > Date.parse(recoverableUntil))) recoverableUntil = head.at;
  return { pieces: chain, through: at, recoverableUntil };
}

export type ReplayTarget = { time: Date } | { seq: number };

export type ReplayPlan =
  | { ok: true; pieces: Piece[]; stopTime?: Date; stopSeq?: number }
  | { ok: false; reason: string };

/**
 * What to replay after a backup at sequence number `from` to reach `target`. A time is
 * taken to the whole second below (binary log events carry whole seconds): the replay
 * stops before the first transaction stamped at or after it.
 */
export function planReplay(segments: Segment[], from: number, target: ReplayTarget, head?: Head): ReplayPlan {
  const chain = chainFrom(timeline(segments), from, head);
  const covered = describe(chain, from);
  if ('seq' in target) {
    if (target.seq < from) return { ok: false, reason: `the backup is already past sequence number ${target.seq} (it holds up to ${from}); choose an older backup` };
    if (chain.through < target.seq) return { ok: false, reason: `sequence number ${target.seq} is not covered: ${covered}` };
    const pieces = chain.pieces.filter((p) => p.after < target.seq).map((p) => ({ ...p, through: Math.min(p.through, target.seq) }));
    return { ok: true, pieces, stopSeq: target.seq };
  }
  const stop = new Date(Math.floor(target.time.getTime() / 1000) * 1000);
  if (!chain.recoverableUntil || Date.parse(chain.recoverableUntil) < stop.getTime()) return { ok: false, reason: `${stop.toISOString()} is not covered: ${covered}` };
  const pieces = chain.pieces.filter((p) => Date.parse(p.segment.firstTime) < stop.getTime() || p === chain.pieces[0]);
  return { ok: true, pieces, stopTime: stop };
}

/** The covered range in words, for refusals. */
function describe(chain: Chain, from: number): string {
  if (chain.pieces.length === 0) {
    return `the archive holds nothing after the backup's position (sequence number ${from})${chain.recoverableUntil ? `, which is current until ${chain.recoverableUntil}` : ''}`;
  }
  const range = `the archive covers sequence numbers ${from + 1} to ${chain.through}, up to ${chain.recoverableUntil}`;
  return chain.gap ? `${range}; then transactions ${chain.gap.after + 1} to ${chain.gap.before - 1} are missing` : range;
}
