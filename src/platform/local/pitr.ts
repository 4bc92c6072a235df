// The sandbox's side of point-in-time recovery: the supervisor archives the binary logs of
// whichever instance is the recorded primary, into the spec's pitr.storage.
import type { ClusterSpec } from '../../api/cluster.js';
import { BinlogArchiver } from '../../backup/archiver.js';
import { describeLocation } from '../../backup/location.js';
import { locationOf } from '../../backup/storage-location.js';
import { openStore } from '../../backup/store.js';
import type { Logger } from '../../clustering/operations.js';
import type { ClusterState } from '../../clustering/types.js';
import { serverIdFor } from '../../db/gtid.js';
import type { ClusterPaths } from './paths.js';
import { instancePort, type Ports } from './ports.js';
import type { ClusterSecrets } from './secrets.js';

export interface LocalArchiver {
  archiver: BinlogArchiver;
  where: string;
  /** The spec section it runs, to tell whether a reload changed it. */
  spec: string;
}

export function startArchiver(paths: ClusterPaths, spec: ClusterSpec, ports: Ports, secrets: ClusterSecrets, state: ClusterState, log: Logger): LocalArchiver | undefined {
  if (!spec.pitr) return undefined;
  const location = locationOf(spec.pitr.storage);
  const archiver = new BinlogArchiver(openStore(location), paths.name, spec.pitr.archiveIntervalSeconds, () => {
    const o = state.primary;
    if (o === null || state.operation) return undefined; // mid failover: wait for the new primary
    return {
      serverId: serverIdFor(o),
      datadir: paths.instance(o).datadir,
      endpoint: { host: '127.0.0.1', port: instancePort(ports, o) },
      creds: secrets.operator,
    };
  }, log);
  archiver.start();
  return { archiver, where: describeLocation(location), spec: JSON.stringify(spec.pitr) };
}
