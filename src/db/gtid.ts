// MariaDB GTIDs are domain-server-seq triples. With gtid_strict_mode the sequence numbers
// within one domain only grow, so "who has more" is a per-domain comparison, and an errant
// transaction shows up as a (domain, server) entry that the reference does not have.

export interface Gtid {
  domain: number;
  server: number;
  seq: number;
}

/** A GTID position: the last GTID per domain (gtid_current_pos, Gtid_IO_Pos ...). */
export type GtidPosition = Map<number, Gtid>;

/** A binlog state: the last seq per (domain, server) (gtid_binlog_state). */
export type GtidState = Map<string, Gtid>;

export function parseGtidList(text: string | null | undefined): Gtid[] {
  if (!text) return [];
  return text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((s) => {
      const m = /^(\d+)-(\d+)-(\d+)$/.exec(s);
      if (!m) throw new Error(`not a MariaDB GTID: "${s}"`);
      return { domain: Number(m[1]), server: Number(m[2]), seq: Number(m[3]) };
    });
}

export function toPosition(list: Gtid[] | string | null | undefined): GtidPosition {
  const gtids = typeof list === 'string' || list == null ? parseGtidList(list) : list;
  const pos: GtidPosition = new Map();
  for (const g of gtids) {
    const cur = pos.get(g.domain);
    if (!cur || g.seq > cur.seq) pos.set(g.domain, g);
  }
  return pos;
}

export function toState(list: Gtid[] | string | null | undefined): GtidState {
  const gtids = typeof list === 'string' || list == null ? parseGtidList(list) : list;
  const state: GtidState = new Map();
  for (const g of gtids) {
    const key = `${g.domain}-${g.server}`;
    const cur = state.get(key);
    if (!cur || g.seq > cur.seq) state.set(key, g);
  }
  return state;
}

export function formatGtids(gtids: Iterable<Gtid>): string {
  return [...gtids]
    .sort((a, b) => a.domain - b.domain || a.server - b.server)
    .map((g) => `${g.domain}-${g.server}-${g.seq}`)
    .join(',');
}

/** a has every transaction b has (per domain, a's sequence number is at least b's). */
export function positionCovers(a: GtidPosition, b: GtidPosition): boolean {
  for (const [domain, g] of b) {
    const mine = a.get(domain);
    if (!mine || mine.seq < g.seq) return false;
  }
  return true;
}

/** Per-domain maximum of several positions. */
export function mergePositions(...positions: GtidPosition[]): GtidPosition {
  const out: GtidPosition = new Map();
  for (const p of positions) for (const g of p.values()) {
    const cur = out.get(g.domain);
    if (!cur || g.seq > cur.seq) out.set(g.domain, g);
  }
  return out;
}

/**
 * The entries of `instance` that `reference` does not have: transactions written on the
 * instance (or relayed to it) that never came from the reference. Entries of servers in
 * `trusted` are skipped (the failed primary's own tail, which a replica may hold more of
 * than the last observation of that primary showed).
 */
export function errantGtids(instance: GtidState, reference: GtidState, trusted: ReadonlySet<number> = new Set()): Gtid[] {
  const errant: Gtid[] = [];
  for (const [key, g] of instance) {
    if (trusted.has(g.server)) continue;
    const ref = reference.get(key);
    if (!ref || ref.seq < g.seq) errant.push(g);
  }
  return errant;
}

/**
 * The entries of `want` that an instance with binlog state `have` lacks. An entry counts as
 * held when the instance received it into its relay log (`received`, the last GTID per
 * domain from the same server): applying the relay log brings it in. Servers in `ignore`
 * are skipped (a primary whose tail the instance is about to wait for).
 */
export function lackedGtids(have: GtidState, received: GtidPosition, want: GtidState, ignore: ReadonlySet<number> = new Set()): Gtid[] {
  const out: Gtid[] = [];
  for (const [key, g] of want) {
    if (ignore.has(g.server)) continue;
    if ((have.get(key)?.seq ?? 0) >= g.seq) continue;
    const r = received.get(g.domain);
    if (r && r.server === g.server && r.seq >= g.seq) continue;
    out.push(g);
  }
  return out;
}

/** Transactions (counted by sequence number) that a has beyond b, summed over domains. */
export function transactionsAhead(a: GtidPosition, b: GtidPosition): number {
  let n = 0;
  for (const [domain, g] of a) n += Math.max(0, g.seq - (b.get(domain)?.seq ?? 0));
  return n;
}

/**
 * A binlog state as it was when `position` was reached. In a domain, sequence numbers only
 * grow, so every entry at or below the position's sequence was already there, and the
 * position itself is the last entry of the server that wrote it. A clone gets this state,
 * so its gtid_binlog_state is as complete as its donor's and errant checks stay exact.
 */
export function stateAtPosition(state: GtidState, position: GtidPosition): GtidState {
  const out: GtidState = new Map();
  for (const [key, g] of state) {
    const p = position.get(g.domain);
    if (p && g.seq <= p.seq) out.set(key, g);
  }
  for (const p of position.values()) out.set(`${p.domain}-${p.server}`, p);
  return out;
}

/** server_id must be positive and unique in the cluster: ordinal + 1. */
export function serverIdFor(ordinal: number): number {
  return ordinal + 1;
}
