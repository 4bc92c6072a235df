// What this instance's agent tells its peers (GET /status): enough to pick a clone donor,
// never a secret. Read over the server's Unix socket as the operator account.
import { hasData } from '../mariadb/datadir.js';
import { withSession, type Credentials } from '../db/connection.js';
import { readServerStatus } from '../db/dialect.js';
import type { AgentConfig } from './config.js';

export interface InstanceStatus {
  ordinal: number;
  hasData: boolean;
  serverUp: boolean;
  /** Why the server did not answer (a MariaDB or socket error, never a password). */
  serverError?: string;
  readOnly?: boolean;
  gtidBinlogPos?: string;
  replication?: {
    sourceHost: string;
    sourcePort: number;
    ioRunning: string;
    sqlRunning: boolean;
    lastIoError: string;
    lastSqlError: string;
  };
}

export function localEndpoint(cfg: AgentConfig) {
  return { host: '127.0.0.1', port: cfg.mysqlPort };
}

/** SELECT 1 over the socket within the deadline. */
export async function serverAnswers(cfg: AgentConfig, operator: Credentials, deadlineMs = 1000): Promise<boolean> {
  try {
    await withSession(localEndpoint(cfg), operator, (s) => s.value('SELECT 1'), { socketPath: cfg.socket, connectTimeoutMs: deadlineMs, deadlineMs });
    return true;
  } catch {
    return false;
  }
}

export async function instanceStatus(cfg: AgentConfig, operator: Credentials): Promise<InstanceStatus> {
  const base = { ordinal: cfg.ordinal, hasData: hasData(cfg.datadir) };
  try {
    return await withSession(localEndpoint(cfg), operator, async (s) => {
      const server = await readServerStatus(s);
      const r = server.replication;
      return {
        ...base,
        serverUp: true,
        readOnly: server.readOnly,
        gtidBinlogPos: String((await s.value('SELECT @@gtid_binlog_pos')) ?? ''),
        replication: r && {
          sourceHost: r.sourceHost,
          sourcePort: r.sourcePort,
          ioRunning: r.io,
          sqlRunning: r.sqlRunning,
          lastIoError: r.lastIoError,
          lastSqlError: r.lastSqlError,
        },
      };
    }, { socketPath: cfg.socket, deadlineMs: 2000 });
  } catch (err) {
    return { ...base, serverUp: false, serverError: (err as Error).message };
  }
}
