// A physical backup taken by the source instance's agent (mariadb-backup must run beside the
// server's files) and received by a backup Job over HTTP: the body is the compressed stream,
// and the GTID position arrives as a trailer once the agent's tools exited cleanly. A stream
// without that trailer is incomplete, whatever its length.
import http from 'node:http';
import { PassThrough } from 'node:stream';
import { PHYSICAL_FILE } from './physical.js';
import type { Produced } from './producer.js';

export const BACKUP_GTID_TRAILER = 'x-ordinal-backup-gtid';

export interface AgentAddress {
  /** host:port of the instance's agent. */
  agent: string;
  token: string;
}

export function remotePhysicalBackup(from: AgentAddress): Produced {
  const stream = new PassThrough();
  let received = 0;
  let req: http.ClientRequest | undefined;
  const finished = new Promise<{ gtid: string }>((resolve, reject) => {
    const [host, port] = from.agent.split(':');
    req = http.get({ host, port: Number(port), path: '/backup', headers: { authorization: `Bearer ${from.token}` } }, (res) => {
      if (res.statusCode !== 200) {
        let text = '';
        res.on('data', (d: Buffer) => (text += d.toString()));
        res.on('end', () => reject(new Error(`the agent at ${from.agent} refused the backup: HTTP ${res.statusCode}${res.statusCode === 401 ? ' (wrong agent token)' : ''}: ${text.trim().slice(0, 200)}`)));
        return;
      }
      res.on('data', (d: Buffer) => (received += d.length));
      res.on('aborted', () => reject(new Error(`the backup stream from ${from.agent} was cut short after ${received} bytes: the agent's tools failed or the pod went away`)));
      res.on('error', (err) => reject(new Error(`the backup stream from ${from.agent} broke: ${err.message}`)));
      res.on('end', () => {
        const gtid = res.trailers[BACKUP_GTID_TRAILER];
        if (typeof gtid !== 'string') reject(new Error(`the backup stream from ${from.agent} ended without its GTID trailer: incomplete`));
        else resolve({ gtid });
      });
      res.pipe(stream);
    });
    req.on('error', (err) => reject(new Error(`cannot reach the agent at ${from.agent}: ${err.message}`)));
  });
  finished.catch((err) => stream.destroy(err));
  return {
    stream,
    file: PHYSICAL_FILE,
    // Compressed bytes: the agent's tools count what they read, out of reach here.
    progress: () => ({ bytes: received }),
    finished,
    kill: () => req?.destroy(),
  };
}
