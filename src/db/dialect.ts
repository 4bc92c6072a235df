// Every MariaDB statement the HA logic uses, in one place. MariaDB 10.11 spellings:
// SLAVE (not REPLICA) for the widest compatibility, GTIDs in gtid_* variables.
import type { Endpoint, Session } from './connection.js';
import { toPosition, toState, type GtidPosition, type GtidState } from './gtid.js';

export const OPERATOR_USER = 'ordinal';
export const REPLICATION_USER = 'ordinal_repl';
/** Galera donors log in as it to stream a full copy (mariabackup SST). */
export const SST_USER = 'ordinal_sst';
/** Accounts whose sessions a switchover or a fence does not kill. */
export const SYSTEM_USERS = [OPERATOR_USER, REPLICATION_USER, SST_USER, 'system user', 'event_scheduler'];

export type IoState = 'Yes' | 'No' | 'Connecting' | 'Preparing';

export interface ReplicationStatus {
  sourceHost: string;
  sourcePort: number;
  io: IoState;
  sqlRunning: boolean;
  /** Gtid_IO_Pos: what has been received into the relay log. */
  received: GtidPosition;
  lastIoError: string;
  lastSqlError: string;
  lastIoErrno: number;
  secondsBehind: number | null;
}

export interface ServerStatus {
  serverId: number;
  readOnly: boolean;
  /** gtid_binlog_state: per (domain, server), the last transaction in the binary log. */
  binlogState: GtidState;
  /** gtid_current_pos: per domain, the last transaction applied or written. */
  executed: GtidPosition;
  replication?: ReplicationStatus;
  semiSyncPrimary: boolean;
  semiSyncClients: number;
  uptimeSeconds: number;
}

export async function readServerStatus(s: Session): Promise<ServerStatus> {
  const [vars] = await s.query(
    'SELECT @@server_id AS serverId, @@read_only AS readOnly, @@gtid_binlog_state AS binlogState, ' +
      '@@gtid_current_pos AS executed, @@rpl_semi_sync_master_enabled AS semiSync',
  );
  const statusRows = await s.query(
    "SHOW GLOBAL STATUS WHERE Variable_name IN ('Uptime', 'Rpl_semi_sync_master_clients')",
  );
  const status = new Map(statusRows.map((r: any) => [r.Variable_name, Number(r.Value)]));
  const [slave] = await s.query('SHOW SLAVE STATUS');
  return {
    serverId: Number(vars.serverId),
    readOnly: Number(vars.readOnly) === 1,
    binlogState: toState(vars.binlogState),
    executed: toPosition(vars.executed),
    replication: slave ? parseSlaveStatus(slave) : undefined,
    semiSyncPrimary: Number(vars.semiSync) === 1,
    semiSyncClients: status.get('Rpl_semi_sync_master_clients') ?? 0,
    uptimeSeconds: status.get('Uptime') ?? 0,
  };
}

function parseSlaveStatus(row: any): ReplicationStatus {
  return {
    sourceHost: String(row.Master_Host ?? ''),
    sourcePort: Number(row.Master_Port ?? 0),
    io: (row.Slave_IO_Running ?? 'No') as IoState,
    sqlRunning: row.Slave_SQL_Running === 'Yes',
    received: toPosition(String(row.Gtid_IO_Pos ?? '')),
    lastIoError: String(row.Last_IO_Error ?? ''),
    lastSqlError: String(row.Last_SQL_Error ?? ''),
    lastIoErrno: Number(row.Last_IO_Errno ?? 0),
    secondsBehind: row.Seconds_Behind_Master == null ? null : Number(row.Seconds_Behind_Master),
  };
}

/** The GTID position at an offset of this server's binary log ('' if the file is gone). */
export async function binlogGtidPos(s: Session, file: string, pos: number): Promise<string> {
  return String((await s.value('SELECT BINLOG_GTID_POS(?, ?)', [file, pos])) ?? '');
}

/** The fence: a replica that receives nothing can acknowledge nothing to the old primary. */
export async function stopReceiving(s: Session): Promise<void> {
  await s.query('STOP SLAVE IO_THREAD');
}

/** Neither receive nor apply: a quarantined replica acknowledges nothing. */
export async function stopReplication(s: Session): Promise<void> {
  await s.query('STOP SLAVE');
}

/** Wait until everything received has been applied; true when done, false on timeout. */
export async function waitForGtid(s: Session, position: string, timeoutSeconds: number): Promise<boolean> {
  if (!position) return true;
  const r = await s.value<number | string>('SELECT MASTER_GTID_WAIT(?, ?)', [position, timeoutSeconds]);
  return Number(r) === 0;
}

export async function setReadOnly(s: Session, on: boolean): Promise<void> {
  await s.query(`SET GLOBAL read_only = ${on ? 'ON' : 'OFF'}`);
}

/** Make an instance the primary. Replication is stopped, never restarted (MDEV-4698). */
export async function promote(s: Session, semiSync: boolean): Promise<void> {
  await s.query('STOP SLAVE');
  await s.query('RESET SLAVE ALL');
  await s.query(`SET GLOBAL rpl_semi_sync_master_enabled = ${semiSync ? 'ON' : 'OFF'}`);
  await setReadOnly(s, false);
}

export async function setSemiSyncPrimary(s: Session, on: boolean): Promise<void> {
  await s.query(`SET GLOBAL rpl_semi_sync_master_enabled = ${on ? 'ON' : 'OFF'}`);
}

export interface ReplicationSource extends Endpoint {
  user: string;
  password: string;
  heartbeatSeconds: number;
}

/**
 * Replicate from `source` using GTIDs (slave_pos). MASTER_DEMOTE_TO_SLAVE folds the
 * instance's own binlog position into gtid_slave_pos, so an old primary resumes from
 * where it stopped; on an ordinary replica the two positions are already equal.
 */
export async function replicateFrom(s: Session, source: ReplicationSource): Promise<void> {
  await s.query('STOP SLAVE');
  // A demoted primary must not make its own (errant, direct) writes wait for acks.
  await setSemiSyncPrimary(s, false);
  await s.query(
    'CHANGE MASTER TO MASTER_HOST = ?, MASTER_PORT = ?, MASTER_USER = ?, MASTER_PASSWORD = ?, ' +
      'MASTER_USE_GTID = slave_pos, MASTER_DEMOTE_TO_SLAVE = 1, MASTER_CONNECT_RETRY = 1, MASTER_HEARTBEAT_PERIOD = ?',
    [source.host, source.port, source.user, source.password, source.heartbeatSeconds],
  );
  await s.query('START SLAVE');
}

export async function startReplication(s: Session): Promise<void> {
  await s.query('START SLAVE');
}

/** Kill every client session (not ours, not replication): used before promoting elsewhere. */
export async function killClientSessions(s: Session): Promise<number> {
  const rows = await s.query(
    'SELECT ID AS id FROM information_schema.PROCESSLIST WHERE ID <> CONNECTION_ID() AND USER NOT IN (?)',
    [SYSTEM_USERS],
  );
  for (const r of rows) await s.query(`KILL CONNECTION ${Number(r.id)}`).catch(() => {});
  return rows.length;
}
