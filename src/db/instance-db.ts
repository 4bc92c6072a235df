// One MariaDB instance as the HA operations see it: a handful of domain operations, each
// idempotent and each bounded by the deadline it was opened with. The operations receive
// it through a connector, so the same code runs against real servers and, in the unit
// tests, against an in-memory cluster (test/unit/fake-cluster.ts).
import { withSession, type Credentials, type Endpoint, type Session } from './connection.js';
import * as sql from './dialect.js';
import type { ReplicationSource, ServerStatus } from './dialect.js';

export interface InstanceDb {
  status(): Promise<ServerStatus>;
  /** The fence: stop the receiver, so nothing more can be acknowledged to the old primary. */
  stopReceiving(): Promise<void>;
  /** Stop receiving and applying (a quarantined replica). */
  stopReplication(): Promise<void>;
  /** Wait until `position` is applied: true when done, false on timeout. */
  waitForGtid(position: string, timeoutSeconds: number): Promise<boolean>;
  /** read_only ON, client sessions killed; returns gtid_binlog_pos once nothing more can be written. */
  makeReadOnly(): Promise<string>;
  /** Undo makeReadOnly (an aborted switchover gives the primary back). */
  makeWritable(): Promise<void>;
  /** Replication stopped and forgotten (never restarted: MDEV-4698), semi-sync primary side set, writable. */
  promote(semiSync: boolean): Promise<void>;
  setSemiSyncPrimary(on: boolean): Promise<void>;
  replicateFrom(source: ReplicationSource): Promise<void>;
}

export interface DbOptions {
  deadlineMs: number;
  connectTimeoutMs?: number;
}

export type DbConnector = (endpoint: Endpoint, opts: DbOptions) => InstanceDb;

/** The real thing: one short session per operation, over TCP, as `creds`. */
export function sqlConnector(creds: () => Credentials): DbConnector {
  return (endpoint, opts) => {
    const on = <T>(fn: (s: Session) => Promise<T>) =>
      withSession(endpoint, creds(), fn, { deadlineMs: opts.deadlineMs, connectTimeoutMs: opts.connectTimeoutMs ?? Math.min(opts.deadlineMs, 2000) });
    return {
      status: () => on(sql.readServerStatus),
      stopReceiving: () => on(sql.stopReceiving),
      stopReplication: () => on(sql.stopReplication),
      waitForGtid: (position, timeoutSeconds) => on((s) => sql.waitForGtid(s, position, timeoutSeconds)),
      makeReadOnly: () => on(async (s) => {
        await sql.setReadOnly(s, true);
        await sql.killClientSessions(s);
        return String((await s.value('SELECT @@gtid_binlog_pos')) ?? '');
      }),
      makeWritable: () => on((s) => sql.setReadOnly(s, false)),
      promote: (semiSync) => on((s) => sql.promote(s, semiSync)),
      setSemiSyncPrimary: (enabled) => on((s) => sql.setSemiSyncPrimary(s, enabled)),
      replicateFrom: (source) => on((s) => sql.replicateFrom(s, source)),
    };
  };
}
