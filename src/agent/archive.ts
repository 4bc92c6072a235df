// The agent's side of point-in-time recovery on Kubernetes: every instance's agent runs an
// archiver, and it archives while its own server is the writable primary (the HA loop makes
// exactly one instance writable, and fences the old one first). The archive keys files by
// server and GTID, so an agent that archives a moment too long after a failover only writes
// what another would have written too.
import type { Logger } from 'pino';
import type { ClusterSpec } from '../api/cluster.js';
import { BinlogArchiver, type ArchiveStatus } from '../backup/archiver.js';
import { describeLocation } from '../backup/location.js';
import { locationOf } from '../backup/storage-location.js';
import { openStore } from '../backup/store.js';
import { ARCHIVE_MOUNT } from '../builders/names.js';
import { withSession } from '../db/connection.js';
import { serverIdFor } from '../db/gtid.js';
import type { AgentConfig } from './config.js';
import { localEndpoint } from './instance-status.js';
import { operatorCredentials } from './secrets.js';

const ROLE_CHECK_MS = 1000;

export type ArchiveView = ArchiveStatus & { location: string; archiving: boolean };

export interface AgentArchive {
  status(): ArchiveView;
  stop(): Promise<void>;
}

export function startAgentArchiver(cfg: AgentConfig, spec: ClusterSpec, log: Logger): AgentArchive | undefined {
  if (!spec.pitr) return undefined;
  const location = locationOf(spec.pitr.storage, { pvcMount: process.env.ORDINAL_ARCHIVE_MOUNT || ARCHIVE_MOUNT });
  let primary = false;
  const check = async () => {
    primary = await withSession(localEndpoint(cfg), operatorCredentials(cfg), (s) => s.value('SELECT @@read_only'), { socketPath: cfg.socket, deadlineMs: 2000, connectTimeoutMs: 1000 })
      .then((v) => Number(v) === 0, () => false);
  };
  const timer = setInterval(() => void check(), ROLE_CHECK_MS);
  timer.unref();
  const archiver = new BinlogArchiver(openStore(location), cfg.clusterName, spec.pitr.archiveIntervalSeconds, () => (primary ? {
    serverId: serverIdFor(cfg.ordinal),
    datadir: cfg.datadir,
    endpoint: localEndpoint(cfg),
    creds: operatorCredentials(cfg),
  } : undefined), log);
  archiver.start();
  log.info({ location: describeLocation(location), intervalSeconds: spec.pitr.archiveIntervalSeconds }, 'archiving binary logs while this instance is the primary');
  return {
    status: () => ({ ...archiver.status(), location: describeLocation(location), archiving: primary }),
    async stop() {
      clearInterval(timer);
      await archiver.stop();
    },
  };
}
