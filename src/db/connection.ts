// One connection per instance per operation, with a hard deadline: a frozen server must
// never stall the HA loop. When a deadline passes the socket is destroyed, and the query
// still running on the server is killed through a second, short-lived connection.
import mysql from 'mysql2/promise';

export interface Endpoint {
  host: string;
  port: number;
}

export interface Credentials {
  user: string;
  password: string;
}

export class DbError extends Error {
  constructor(
    message: string,
    readonly code: string | undefined,
    /** Nothing listens on the port: the server process is not there. */
    readonly refused: boolean,
    readonly timedOut = false,
  ) {
    super(message);
    this.name = 'DbError';
  }
}

export interface Session {
  query<T = any>(sql: string, params?: unknown[]): Promise<T[]>;
  /** The first row's first column, or undefined. */
  value<T = any>(sql: string, params?: unknown[]): Promise<T | undefined>;
  threadId: number;
}

export interface SessionOptions {
  connectTimeoutMs?: number;
  deadlineMs?: number;
  database?: string;
  /** Connect over this Unix socket instead of TCP (the instance agent, inside the pod). */
  socketPath?: string;
}

export async function withSession<T>(
  endpoint: Endpoint,
  creds: Credentials,
  fn: (s: Session) => Promise<T>,
  opts: SessionOptions = {},
): Promise<T> {
  const connectTimeout = opts.connectTimeoutMs ?? 1000;
  const deadline = opts.deadlineMs ?? 5000;
  let conn: mysql.Connection | undefined;
  let timer: NodeJS.Timeout | undefined;
  let expired = false;
  const work = (async () => {
    conn = await mysql.createConnection({
      host: endpoint.host,
      port: endpoint.port,
      user: creds.user,
      password: creds.password,
      database: opts.database,
      socketPath: opts.socketPath,
      connectTimeout,
      multipleStatements: false,
      supportBigNumbers: true,
      bigNumberStrings: true,
    });
    conn.on('error', () => {}); // surfaced through the pending query instead
    const c = conn;
    const session: Session = {
      threadId: c.threadId ?? 0,
      async query(sql, params) {
        const [rows] = await c.query({ sql, values: params });
        return rows as any[];
      },
      async value(sql, params) {
        const [rows] = await c.query({ sql, values: params, rowsAsArray: true });
        const first = (rows as unknown[][])[0];
        return first ? (first[0] as any) : undefined;
      },
    };
    return fn(session);
  })();
  const expiry = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      expired = true;
      reject(new DbError(`${endpoint.host}:${endpoint.port}: no answer within ${deadline} ms`, 'ETIMEDOUT', false, true));
    }, deadline);
  });
  try {
    return await Promise.race([work, expiry]);
  } catch (err) {
    throw asDbError(err, endpoint);
  } finally {
    clearTimeout(timer);
    const c = conn;
    if (expired) {
      work.catch(() => {});
      if (c) {
        const id = c.threadId;
        c.destroy();
        if (id) void killQuery(endpoint, creds, id);
      }
    } else if (c) {
      c.end().catch(() => c.destroy());
    }
  }
}

async function killQuery(endpoint: Endpoint, creds: Credentials, threadId: number): Promise<void> {
  try {
    const conn = await mysql.createConnection({ ...endpoint, ...creds, connectTimeout: 500 });
    conn.on('error', () => {});
    const t = setTimeout(() => conn.destroy(), 1000);
    await conn.query(`KILL ${Number(threadId)}`).catch(() => {});
    clearTimeout(t);
    conn.destroy();
  } catch {
    // best effort: the server is unreachable, so the query dies with it
  }
}

export function asDbError(err: unknown, endpoint: Endpoint): DbError {
  if (err instanceof DbError) return err;
  const e = err as { code?: string; message?: string; errno?: number };
  const code = e?.code;
  const refused = code === 'ECONNREFUSED';
  const timedOut = code === 'ETIMEDOUT';
  // mysql2 messages never contain the password; the endpoint makes them actionable.
  return new DbError(`${endpoint.host}:${endpoint.port}: ${e?.message ?? String(err)}`, code, refused, timedOut);
}
