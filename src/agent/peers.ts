// The client side of the agent's HTTP API: what init-data asks its peers, what the mysql
// container asks its own agent before a start, and what the operator tells it.
import type { ArchiveView } from './archive.js';
import http from 'node:http';
import type { InstanceStatus } from './instance-status.js';
import type { PeerAnswer } from './donor.js';
import type { StartDecision } from './start-gate.js';
import type { StoredPosition } from '../galera/stored-position.js';

const STATUS_TIMEOUT_MS = 3000;

function request(peer: string, path: string, token?: string, timeoutMs?: number, post?: string): Promise<http.IncomingMessage> {
  const [host, port] = splitPeer(peer);
  return new Promise((resolve, reject) => {
    const headers: http.OutgoingHttpHeaders = token ? { authorization: `Bearer ${token}` } : {};
    if (post !== undefined) Object.assign(headers, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(post) });
    const req = http.request({ host, port, path, method: post === undefined ? 'GET' : 'POST', headers }, resolve);
    req.on('error', reject);
    if (timeoutMs) req.setTimeout(timeoutMs, () => req.destroy(Object.assign(new Error(`no answer within ${timeoutMs} ms`), { code: 'ETIMEDOUT' })));
    req.end(post);
  });
}

function splitPeer(peer: string): [string, number] {
  const i = peer.lastIndexOf(':');
  const port = Number(peer.slice(i + 1));
  if (i <= 0 || !Number.isInteger(port)) throw new Error(`peer "${peer}" is not host:port`);
  return [peer.slice(0, i), port];
}

async function body(res: http.IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of res) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** A non-200 answer as an error that says what to do about it. */
async function refusal(peer: string, what: string, res: http.IncomingMessage): Promise<Error> {
  res.resume();
  const hint =
    res.statusCode === 401 ? ': the donor refused our agent token (do both pods mount the same agent-token secret?)'
    : res.statusCode === 429 ? ': the donor is serving another clone; retry later'
    : '';
  return new Error(`${what} from ${peer} failed with HTTP ${res.statusCode}${hint}`);
}

export async function askPeer(peer: string): Promise<PeerAnswer> {
  try {
    const res = await request(peer, '/status', undefined, STATUS_TIMEOUT_MS);
    if (res.statusCode !== 200) throw await refusal(peer, 'GET /status', res);
    return { peer, status: JSON.parse(await body(res)) as InstanceStatus };
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return { peer, error: code ?? (err as Error).message, absent: code === 'ENOTFOUND' };
  }
}

/** The donor's backup stream (xbstream). */
export async function openClone(peer: string, token: string): Promise<http.IncomingMessage> {
  // An idle limit, not a total one: a large copy may take hours, a stalled one must not.
  const res = await request(peer, '/clone', token, 120_000);
  if (res.statusCode !== 200) throw await refusal(peer, 'GET /clone', res);
  return res;
}

export async function fetchBinlogState(peer: string, token: string): Promise<string> {
  const res = await request(peer, '/binlog-state', token, 10_000);
  if (res.statusCode !== 200) throw await refusal(peer, 'GET /binlog-state', res);
  return (await body(res)).trim();
}

/** How far the binary log archive reaches, as the primary's agent archives it (GET /archive). */
export async function fetchArchive(agent: string): Promise<ArchiveView> {
  const res = await request(agent, '/archive', undefined, 3000);
  if (res.statusCode !== 200) throw await refusal(agent, 'GET /archive', res);
  return JSON.parse(await body(res)) as ArchiveView;
}

/** The donor's GTID position at an offset of its binlog (see cloneInto). */
export async function fetchGtidAt(peer: string, token: string, file: string, pos: number): Promise<string> {
  const path = `/gtid-at?${new URLSearchParams({ file, pos: String(pos) })}`;
  const res = await request(peer, path, token, 10_000);
  if (res.statusCode !== 200) throw await refusal(peer, 'GET /gtid-at', res);
  return (await body(res)).trim();
}

/** One long poll of the agent's GET /start-mode: the next decision, or undefined when none came. */
export async function askStartMode(agent: string): Promise<StartDecision | undefined> {
  const res = await request(agent, '/start-mode', undefined, 30_000);
  if (res.statusCode === 204) return void res.resume();
  if (res.statusCode !== 200) throw await refusal(agent, 'GET /start-mode', res);
  return JSON.parse(await body(res)) as StartDecision;
}

/** The operator's word to a pod's agent (POST /start-mode); how many waiting starts it answered. */
export async function postStartMode(agent: string, decision: StartDecision, token: string): Promise<number> {
  const res = await request(agent, '/start-mode', token, 2000, JSON.stringify(decision));
  if (res.statusCode !== 200) throw await refusal(agent, 'POST /start-mode', res);
  return (JSON.parse(await body(res)) as { answered: number }).answered;
}

/** Whether a Galera pod's mysql container waits at its start gate (GET /galera/gate). */
export async function fetchGaleraGate(agent: string): Promise<boolean> {
  const res = await request(agent, '/galera/gate', undefined, 2000);
  if (res.statusCode !== 200) throw await refusal(agent, 'GET /galera/gate', res);
  return (JSON.parse(await body(res)) as { waiting: boolean }).waiting === true;
}

/** A stopped Galera node's position from its data (GET /galera/position; --wsrep-recover may take a minute). */
export async function fetchGaleraPosition(agent: string, token: string): Promise<StoredPosition> {
  const res = await request(agent, '/galera/position', token, 120_000);
  if (res.statusCode !== 200) {
    const why = (await body(res)).trim();
    throw new Error(`GET /galera/position from ${agent} failed with HTTP ${res.statusCode}${why ? `: ${why}` : ''}`);
  }
  return JSON.parse(await body(res)) as StoredPosition;
}
