// A FAKE MariaDB cluster in memory, for driving the real HA loop and operations through
// every step without servers: GTID binary logs, relay logs (lost at a restart, MDEV-4698),
// the semi-sync acknowledgement (a commit is acknowledged once one replica received it),
// and crash recovery that keeps or truncates the binary log's prepared tail. Stopped servers
// start again as start-mode.ts says, asked the sandbox's way (the fleet asks at each start)
// or the Kubernetes way (the loop offers a mode to every down instance, as to a waiting pod).
// It records every moment two running servers were writable. The real servers are in test/integration.
import { DbError } from '../../src/db/connection.js';
import type { ServerStatus } from '../../src/db/dialect.js';
import { formatGtids, positionCovers, serverIdFor, toPosition, toState, type Gtid } from '../../src/db/gtid.js';
import type { DbConnector, InstanceDb } from '../../src/db/instance-db.js';
import type { ClusterEvent, InstanceTarget, Platform } from '../../src/clustering/platform.js';
import type { Routes } from '../../src/clustering/routing.js';
import { startMode, type StartMode } from '../../src/clustering/start-mode.js';
import type { ClusterState, InstanceView } from '../../src/clustering/types.js';

const PORT = 30000;

export interface FakeServer {
  ordinal: number;
  running: boolean;
  frozen: boolean;
  readOnly: boolean;
  semiSyncPrimary: boolean;
  /** Written or applied, in order (log_slave_updates): gtid_binlog_state and gtid_current_pos. */
  binlog: Gtid[];
  /** Trailing binlog entries whose InnoDB commit record is not durable yet. */
  prepared: number;
  /** Received, not applied. */
  relay: Gtid[];
  /** Gtid_IO_Pos: empty after a restart until replication starts. */
  received?: Gtid;
  source?: number;
  io: boolean;
  sql: boolean;
  ioError?: string;
  /** This fleet saw it exit while it was the recorded primary. */
  crashedAsPrimary: boolean;
  /** Started, still in crash recovery: nothing listens yet (until the next fleet step). */
  recovering?: boolean;
  /** Cannot start (its machine is gone): stays down until cleared. */
  stuck?: boolean;
}

export class FakeCluster implements Platform {
  readonly servers: FakeServer[];
  readonly events: ClusterEvent[] = [];
  readonly violations: string[] = [];
  routes: Routes = { readWrite: null, readOnly: [] };
  /** What saveState wrote last: a new loop resumes from a copy of it. */
  saved?: ClusterState;
  /** Whether the loop (the supervisor) reports a blocked failover; set by the test driver. */
  failoverBlocked = () => false;

  constructor(replicas: number, readonly startsBy: 'fleet' | 'offers' = 'fleet') {
    this.servers = Array.from({ length: replicas }, (_, o) => ({
      ordinal: o, running: true, frozen: false, readOnly: true, semiSyncPrimary: false, binlog: [], prepared: 0, relay: [],
      io: false, sql: false, crashedAsPrimary: false,
    }));
  }

  server(o: number): FakeServer {
    return this.servers[o];
  }

  // ---- the clients' side ----------------------------------------------------------------

  /** A commit through the read-write route: the GTID if acknowledged, undefined if not. */
  write(): Gtid | undefined {
    const o = this.routes.readWrite;
    if (o === null) return undefined;
    const p = this.server(o);
    if (!p.running || p.frozen || p.readOnly) return undefined;
    const seq = Math.max(0, ...this.servers.flatMap((s) => s.binlog.map((g) => g.seq)));
    const gtid = { domain: 0, server: serverIdFor(o), seq: seq + 1 };
    p.binlog.push(gtid);
    p.prepared = 1; // acknowledged before InnoDB's commit record is durable
    let acks = 0;
    for (const r of this.servers) {
      if (r.source === o && r.running && !r.frozen && !r.recovering && r.io) {
        r.relay.push(gtid);
        r.received = gtid;
        acks += 1;
      }
    }
    return !p.semiSyncPrimary || acks > 0 ? gtid : undefined;
  }

  /** Replicas apply what they received and fetch what they are missing from their source. */
  pump(): void {
    for (const r of this.servers) {
      if (!r.running || r.frozen || r.source === undefined) continue;
      const src = this.server(r.source);
      if (r.io && src.running && !src.frozen && !src.recovering) {
        const have = toPosition([...r.binlog, ...r.relay]).get(0)?.seq ?? 0;
        for (const g of src.binlog) if (g.seq > have) {
          r.relay.push(g);
          r.received = g;
        }
      }
      if (r.sql) {
        for (const g of r.relay.splice(0)) {
          const last = r.binlog.at(-1);
          if (last && g.seq <= last.seq) {
            if (!r.binlog.some((x) => x.seq === g.seq && x.server === g.server)) {
              r.sql = false; // gtid_strict_mode: out of order
              break;
            }
            continue;
          }
          r.binlog.push(g);
        }
        r.prepared = 0;
      }
    }
  }

  crash(o: number): void {
    const s = this.server(o);
    if (s.running && this.saved?.primary === o) s.crashedAsPrimary = true;
    s.running = false;
    s.frozen = false;
  }

  /** The fleet: start every stopped server the way start-mode.ts says, or keep it down. */
  fleet(state: ClusterState): void {
    for (const s of this.servers) s.recovering = false;
    if (this.startsBy === 'offers') return;
    for (const s of this.servers) {
      if (s.running || s.stuck) continue;
      const { mode } = startMode({ ordinal: s.ordinal, state, crashedAsPrimary: s.crashedAsPrimary, failoverBlocked: this.failoverBlocked() });
      if (mode === 'hold') continue;
      this.start(s.ordinal, mode === 'truncate');
    }
  }

  /** Crash recovery: the prepared tail is committed (keep) or rolled back (truncate). */
  start(o: number, truncate: boolean): void {
    const s = this.server(o);
    if (truncate && s.prepared > 0) s.binlog.splice(s.binlog.length - s.prepared);
    Object.assign(s, { running: true, recovering: true, prepared: 0, readOnly: true, semiSyncPrimary: false, io: false, sql: false, received: undefined, crashedAsPrimary: false });
  }

  // ---- Platform ----------------------------------------------------------------------------

  async targets(): Promise<InstanceTarget[]> {
    return this.servers.map((s) => ({ ordinal: s.ordinal, endpoint: { host: 'fake', port: PORT + s.ordinal }, processRunning: s.running }));
  }

  operatorCredentials() {
    return { user: 'ordinal', password: 'not used' };
  }

  replicationSource(primary: InstanceView) {
    return { ...primary.endpoint, user: 'repl', password: 'not used', heartbeatSeconds: 1 };
  }

  async route(routes: Routes): Promise<void> {
    this.routes = routes;
  }

  async restart(ordinal: number): Promise<void> {
    this.crash(ordinal);
  }

  async rebuild(): Promise<void> {
    throw new Error('rebuild is not modelled by the fake cluster');
  }

  offerStart(ordinal: number, mode: StartMode): void {
    const s = this.server(ordinal);
    if (this.startsBy === 'offers' && !s.running && !s.stuck && mode !== 'hold') this.start(ordinal, mode === 'truncate');
  }

  async saveState(state: ClusterState): Promise<void> {
    this.saved = structuredClone(state);
  }

  event(e: ClusterEvent): void {
    this.events.push(e);
  }

  // ---- the instances, as the loop reaches them ----------------------------------------------

  readonly db: DbConnector = (endpoint) => {
    const s = this.server(endpoint.port - PORT);
    const reach = () => {
      if (!s.running || s.recovering) throw new DbError(`connect ECONNREFUSED fake:${endpoint.port}`, 'ECONNREFUSED', true);
      if (s.frozen) throw new DbError('query deadline passed', undefined, false, true);
    };
    const act = <T>(fn: () => T): Promise<T> => {
      reach();
      const out = fn();
      this.checkWritable();
      return Promise.resolve(out);
    };
    const db: InstanceDb = {
      status: () => act(() => this.status(s)),
      stopReceiving: () => act(() => void (s.io = false)),
      stopReplication: () => act(() => void (s.io = s.sql = false)),
      waitForGtid: (position) => act(() => {
        const sql = s.sql;
        s.sql = true;
        this.pump();
        s.sql = sql;
        return positionCovers(toPosition(s.binlog), toPosition(position));
      }),
      makeReadOnly: () => act(() => {
        s.readOnly = true;
        return formatGtids(toPosition(s.binlog).values());
      }),
      makeWritable: () => act(() => void (s.readOnly = false)),
      promote: (semiSync) => act(() => {
        Object.assign(s, { io: false, sql: false, source: undefined, relay: [], received: undefined, semiSyncPrimary: semiSync, readOnly: false });
      }),
      setSemiSyncPrimary: (on) => act(() => void (s.semiSyncPrimary = on)),
      replicateFrom: (source) => act(() => {
        // START SLAVE in GTID mode purges the relay log and fetches again from the position.
        Object.assign(s, { source: source.port - PORT, relay: [], io: true, sql: true, semiSyncPrimary: false });
      }),
    };
    return db;
  };

  private status(s: FakeServer): ServerStatus {
    return {
      serverId: serverIdFor(s.ordinal),
      readOnly: s.readOnly,
      binlogState: toState(s.binlog),
      executed: toPosition(s.binlog),
      replication: s.source === undefined ? undefined : {
        sourceHost: 'fake',
        sourcePort: PORT + s.source,
        // A receiver whose source is gone is reconnecting; a frozen source looks connected.
        io: !s.io ? 'No' : this.server(s.source).running ? 'Yes' : 'Connecting',
        sqlRunning: s.sql,
        received: toPosition(s.received ? [s.received] : []),
        lastIoError: s.ioError ?? '',
        lastSqlError: '',
        lastIoErrno: 0,
        secondsBehind: s.sql ? 0 : null,
      },
      semiSyncPrimary: s.semiSyncPrimary,
      semiSyncClients: 0,
      uptimeSeconds: 100,
    };
  }

  private checkWritable(): void {
    const writable = this.servers.filter((x) => x.running && !x.frozen && !x.readOnly).map((x) => x.ordinal);
    if (writable.length > 1) this.violations.push(`writable at once: ${writable.join(', ')}`);
  }
}
