// `agent serve`: the sidecar's HTTP API on 9601 (docs/kubernetes.md). Probes, /status,
// /archive and GET /start-mode are open; /clone, /backup, /binlog-state and /gtid-at hand out
// the data and POST /start-mode may roll a tail back, so they need the cluster's agent token.
import { createHash, timingSafeEqual } from 'node:crypto';
import { rmSync, statSync, truncateSync } from 'node:fs';
import http from 'node:http';
import type { Logger } from 'pino';
import { physicalBackup } from '../backup/physical.js';
import { BACKUP_GTID_TRAILER } from '../backup/remote-physical.js';
import { startBackup } from '../mariadb/backup-tools.js';
import { withSession } from '../db/connection.js';
import { binlogGtidPos } from '../db/dialect.js';
import type { AgentConfig } from './config.js';
import { startAgentArchiver } from './archive.js';
import { readCluster } from './init-config.js';
import { instanceStatus, localEndpoint, serverAnswers } from './instance-status.js';
import { operatorCredentials, readSecret } from './secrets.js';
import { parseDecision, StartGate } from './start-gate.js';
import { prepareGaleraStart } from './galera-start.js';
import { readNodeStatus } from '../galera/observe.js';
import { mayServe, stateName } from '../galera/node-state.js';
import { storedPosition } from '../galera/stored-position.js';

const INIT_FILE_CHECK_MS = 2000;
/** How long GET /start-mode waits for the operator's word before answering 204. */
const START_POLL_MS = 10_000;
const MAX_BODY = 4096;

export async function serve(cfg: AgentConfig, log: Logger): Promise<http.Server> {
  let cloning = false;
  let backingUp = false;
  const archive = archiverOf(cfg, log);
  const gate = new StartGate();
  const galera = galeraOf(cfg);
  let readingPosition = false;

  type Route = (req: http.IncomingMessage, res: http.ServerResponse) => Promise<void> | void;
  const posts: Record<string, Route> = {
    '/start-mode': async (req, res) => {
      if (!authorized(req)) return send(res, 401, 'unauthorized\n');
      let decision;
      try {
        decision = parseDecision(await readBody(req));
      } catch (err) {
        return send(res, 400, `${(err as Error).message}\n`);
      }
      // Nothing is prepared for a server that does not wait for it.
      if (galera && decision.mode !== 'hold' && gate.asked()) await prepareGaleraStart(cfg, decision, (line) => log.info(line));
      const answered = gate.decide(decision);
      if (answered > 0) log.info({ mode: decision.mode, why: decision.why }, 'start mode given to the mysql container');
      send(res, 200, JSON.stringify({ answered }), 'application/json');
    },
  };
  const routes: Record<string, Route> = {
    '/start-mode': async (req, res) => {
      const abandoned = new Promise<undefined>((r) => res.on('close', () => r(undefined)));
      const d = await Promise.race([gate.next(START_POLL_MS), abandoned]);
      if (res.destroyed) return;
      if (d) send(res, 200, JSON.stringify(d), 'application/json');
      else send(res, 204, '');
    },
    '/healthz': (_req, res) => send(res, 200, 'ok\n'),
    // How far the archive of binary logs reaches (no secret); 404 without spec.pitr.
    '/archive': (_req, res) => (archive ? send(res, 200, JSON.stringify(archive.status()), 'application/json') : send(res, 404, 'spec.pitr is not set\n')),
    '/ready': async (_req, res) => {
      if (galera) {
        // Routed only while synced in the Primary component (or a donor, when allowed).
        const status = await readNodeStatus(localEndpoint(cfg), operatorCredentials(cfg), 1000, cfg.socket).catch(() => undefined);
        const ready = mayServe(status, galera.availableWhenDonor);
        return send(res, ready ? 200 : 503, ready ? 'ready\n' : `not synced in a Primary component (${stateName(status)})\n`);
      }
      const up = await serverAnswers(cfg, operatorCredentials(cfg));
      send(res, up ? 200 : 503, up ? 'ready\n' : 'the server does not answer\n');
    },
    // Whether the mysql container waits for the operator's word (its server is down).
    '/galera/gate': (_req, res) => (galera ? send(res, 200, JSON.stringify({ waiting: gate.asked() }), 'application/json') : send(res, 404, 'not a Galera cluster\n')),
    // A stopped Galera node's position from its data (grastate.dat, or --wsrep-recover), for
    // the operator's recovery plan; only while the server waits at the gate. Token: reading it
    // may run mariadbd --wsrep-recover, which takes seconds.
    '/galera/position': async (req, res) => {
      if (!galera) return send(res, 404, 'not a Galera cluster\n');
      if (!authorized(req)) return send(res, 401, 'unauthorized\n');
      if (!gate.asked()) return send(res, 409, 'the server runs or is starting: ask it for wsrep_last_committed\n');
      if (readingPosition) return send(res, 429, 'already reading the position\n');
      readingPosition = true;
      try {
        send(res, 200, JSON.stringify(await storedPosition(cfg.datadir, cfg.myCnf)), 'application/json');
      } catch (err) {
        send(res, 500, `${(err as Error).message}\n`);
      } finally {
        readingPosition = false;
      }
    },
    '/status': async (_req, res) => {
      send(res, 200, JSON.stringify(await instanceStatus(cfg, operatorCredentials(cfg))), 'application/json');
    },
    '/binlog-state': async (req, res) => {
      if (!authorized(req)) return send(res, 401, 'unauthorized\n');
      const state = await withSession(localEndpoint(cfg), operatorCredentials(cfg), (s) => s.value('SELECT @@gtid_binlog_state'), { socketPath: cfg.socket });
      send(res, 200, `${state ?? ''}\n`);
    },
    '/gtid-at': async (req, res) => {
      if (!authorized(req)) return send(res, 401, 'unauthorized\n');
      const q = new URL(req.url ?? '', 'http://agent').searchParams;
      const file = q.get('file') ?? '';
      const pos = Number(q.get('pos'));
      if (!/^[A-Za-z0-9._-]+$/.test(file) || !Number.isInteger(pos) || pos < 0) return send(res, 400, 'file and pos are required\n');
      const gtid = await withSession(localEndpoint(cfg), operatorCredentials(cfg), (s) => binlogGtidPos(s, file, pos), { socketPath: cfg.socket });
      send(res, 200, `${gtid}\n`);
    },
    '/clone': (req, res) => {
      if (!authorized(req)) return send(res, 401, 'unauthorized\n');
      if (cloning) return send(res, 429, 'a clone is already running\n');
      cloning = true;
      streamClone(req, res, () => (cloning = false));
    },
    '/backup': (req, res) => {
      if (!authorized(req)) return send(res, 401, 'unauthorized\n');
      if (backingUp) return send(res, 429, 'a backup is already running\n');
      backingUp = true;
      streamBackup(req, res, () => (backingUp = false));
    },
  };

  function authorized(req: http.IncomingMessage): boolean {
    const given = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1] ?? '';
    // Digests have equal lengths, so the comparison takes the same time for any guess.
    const digest = (s: string) => createHash('sha256').update(s).digest();
    return given !== '' && timingSafeEqual(digest(given), digest(readSecret(cfg, 'agent-token')));
  }

  function streamClone(req: http.IncomingMessage, res: http.ServerResponse, done: () => void): void {
    const started = Date.now();
    const peer = req.socket.remoteAddress;
    const backup = startBackup({ datadir: cfg.datadir, optionFile: cfg.clientCnf }, cfg.backupTmp);
    let stderr = '';
    let bytes = 0;
    let exited = false;
    backup.stderr!.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
    backup.stdout!.on('data', (d: Buffer) => (bytes += d.length));
    log.info({ peer }, 'clone started');
    res.writeHead(200, { 'content-type': 'application/octet-stream' });
    // Not ended by the pipe: only a backup that exits 0 is a complete stream.
    backup.stdout!.pipe(res, { end: false });
    res.on('close', () => {
      if (!exited) {
        log.warn({ peer, bytes }, 'the receiver went away; killing the backup');
        backup.kill('SIGKILL');
      }
    });
    backup.on('error', (err) => log.error({ err: err.message }, 'cannot run mariadb-backup'));
    backup.on('close', (code) => {
      exited = true;
      rmSync(cfg.backupTmp, { recursive: true, force: true });
      done();
      const seconds = (Date.now() - started) / 1000;
      if (code === 0) {
        res.end();
        log.info({ peer, bytes, seconds }, 'clone served');
      } else {
        // Cut the connection: the receiver sees an incomplete stream, never a short "success".
        res.destroy();
        log.error({ peer, bytes, seconds, code, tail: stderr.trim().split('\n').slice(-4).join(' | ') }, 'clone failed');
      }
    });
  }

  const server = http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const route = req.method === 'GET' ? routes[path] : req.method === 'POST' ? posts[path] : undefined;
    if (!route) return send(res, 404, 'not found\n');
    Promise.resolve(route(req, res)).catch((err: Error) => {
      log.error({ path, err: err.message }, 'request failed');
      if (!res.headersSent) send(res, 500, 'internal error\n');
      else res.destroy();
    });
  });

  // The init file holds first-start SQL; once the server answers it has run, and emptying it
  // keeps a later restart of mariadbd from running it again (a clone's RESET MASTER would
  // throw away what the replica has replicated since).
  const timer = setInterval(() => void forgetInitFile(), INIT_FILE_CHECK_MS);
  timer.unref();
  server.on('close', () => {
    clearInterval(timer);
    void archive?.stop();
  });
  async function forgetInitFile(): Promise<void> {
    try {
      if (statSync(cfg.initFile).size === 0) return;
    } catch {
      return;
    }
    if (!(await serverAnswers(cfg, operatorCredentials(cfg)))) return;
    truncateSync(cfg.initFile, 0); // in place: mariadbd (as mysql) must still be able to open it
    log.info({ initFile: cfg.initFile }, 'the server has run its init file; emptied it');
  }

  /**
   * A physical backup for a backup Job: mariadb-backup | zstd, the compressed stream as the
   * body and its GTID position as a trailer, sent only once both tools exited 0. A failure
   * cuts the connection, so the Job never stores a short stream as a backup.
   */
  function streamBackup(req: http.IncomingMessage, res: http.ServerResponse, done: () => void): void {
    const started = Date.now();
    const peer = req.socket.remoteAddress;
    const produced = physicalBackup({ ...localEndpoint(cfg), optionFile: cfg.clientCnf, datadir: cfg.datadir }, `${cfg.backupTmp}-job`);
    let finished = false;
    log.info({ peer }, 'backup started');
    res.writeHead(200, { 'content-type': 'application/zstd', trailer: BACKUP_GTID_TRAILER });
    produced.stream.pipe(res, { end: false });
    res.on('close', () => {
      if (finished) return;
      log.warn({ peer }, 'the backup Job went away; killing the backup');
      produced.kill();
    });
    const ended = new Promise((resolve) => produced.stream.once('end', resolve));
    produced.finished.then(
      async ({ gtid }) => {
        await ended;
        finished = true;
        res.addTrailers({ [BACKUP_GTID_TRAILER]: gtid });
        res.end();
        log.info({ peer, gtid, bytes: produced.progress().bytes, seconds: (Date.now() - started) / 1000 }, 'backup served');
      },
      (err: Error) => {
        finished = true;
        res.destroy();
        log.error({ peer, err: err.message, seconds: (Date.now() - started) / 1000 }, 'backup failed');
      },
    ).finally(done);
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(cfg.agentPort, resolve);
  });
  log.info({ port: cfg.agentPort, ordinal: cfg.ordinal, peers: cfg.peers }, 'agent listening');
  return server;
}

/** The archiver when spec.pitr asks for one; an unreadable spec must not keep the probes and the start gate from serving. */
function archiverOf(cfg: AgentConfig, log: Logger) {
  try {
    return startAgentArchiver(cfg, readCluster(cfg).spec, log);
  } catch (err) {
    log.warn({ err: (err as Error).message }, 'no binary log archiving: the cluster spec cannot be read');
    return undefined;
  }
}

async function readBody(req: http.IncomingMessage): Promise<string> {
  let body = '';
  for await (const chunk of req) {
    body += (chunk as Buffer).toString('utf8');
    if (body.length > MAX_BODY) throw new Error('the body is too large');
  }
  return body;
}

function send(res: http.ServerResponse, code: number, body: string, type = 'text/plain'): void {
  res.writeHead(code, { 'content-type': type });
  res.end(body);
}

/** spec.galera when the cluster file says mode galera; an unreadable file is not Galera (the probes must not depend on it). */
function galeraOf(cfg: AgentConfig): { availableWhenDonor: boolean } | undefined {
  try {
    const spec = readCluster(cfg).spec;
    return spec.mode === 'galera' ? { availableWhenDonor: spec.galera.availableWhenDonor } : undefined;
  } catch {
    return undefined;
  }
}
