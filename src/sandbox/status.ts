// `ordinal local status`: the running supervisor's view, or, while none runs, what the
// cluster's files say and which servers still run.
import type { ClusterState } from '../clustering/types.js';
import { loadClusterFile } from '../api/load.js';
import { callControl } from '../platform/local/control.js';
import { readJson } from '../platform/local/files.js';
import { runningPid } from '../platform/local/mariadbd.js';
import { instanceOrdinals, type ClusterPaths } from '../platform/local/paths.js';
import { instancePort, readPorts } from '../platform/local/ports.js';
import { endpointsOf, type LocalStatus } from '../platform/local/status.js';
import { supervisorPid } from '../platform/local/supervisor.js';
import { existingCluster } from './clusters.js';

export async function clusterStatus(name: string): Promise<LocalStatus> {
  const paths = existingCluster(name);
  if (supervisorPid(paths)) return callControl<LocalStatus>(paths.control, 'GET', '/status');
  return stoppedStatus(paths);
}

function stoppedStatus(paths: ClusterPaths): LocalStatus {
  const cluster = loadClusterFile(paths.spec);
  const ports = readPorts(paths);
  const state = readJson<Partial<ClusterState>>(paths.state);
  return {
    name: paths.name,
    phase: 'Stopped',
    primary: state?.primary ?? null,
    endpoints: endpointsOf(ports),
    credentials: { user: cluster.spec.database.user, database: cluster.spec.database.name, passwordFile: cluster.spec.database.passwordFile ?? paths.secret('app') },
    instances: instanceOrdinals(paths).map((o) => ({
      ordinal: o,
      pid: runningPid(paths, o) ?? null,
      port: instancePort(ports, o),
      role: o === state?.primary ? 'primary' : 'unknown',
      ready: false,
      readOnly: null,
      errant: !!state?.quarantined?.[o],
      reachable: false,
      lagSeconds: null,
    })),
    failovers: state?.failovers ?? 0,
    recoveries: state?.recoveries ?? 0,
    switchovers: state?.switchovers ?? 0,
    message: 'the supervisor is not running; ordinal local up -f FILE starts it again',
    routes: { readWrite: null, readOnly: [] },
    events: [],
    supervisor: { pid: null, running: false },
  };
}
