// Reads a Galera node's wsrep status over SQL, with a hard deadline (a frozen node never
// stalls the loop). A node in a non-Primary component still answers SHOW STATUS.
import { withSession, type Credentials, type Endpoint } from '../db/connection.js';
import { parseNodeStatus, type NodeStatus } from './node-state.js';

export async function readNodeStatus(endpoint: Endpoint, creds: Credentials, deadlineMs = 800, socketPath?: string): Promise<NodeStatus> {
  const rows = await withSession(endpoint, creds, (s) => s.query<{ Variable_name: string; Value: string }>("SHOW GLOBAL STATUS LIKE 'wsrep\\_%'"), {
    deadlineMs,
    connectTimeoutMs: deadlineMs,
    socketPath,
  });
  return parseNodeStatus(new Map(rows.map((r) => [r.Variable_name.toLowerCase(), String(r.Value)])));
}

/** Make a running node of a non-Primary component the new Primary component (it holds the most). */
export async function promoteToPrimary(endpoint: Endpoint, creds: Credentials): Promise<void> {
  await withSession(endpoint, creds, (s) => s.query("SET GLOBAL wsrep_provider_options = 'pc.bootstrap=YES'"), { deadlineMs: 10_000 });
}

