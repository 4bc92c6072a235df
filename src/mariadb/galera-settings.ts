// PURE: the [mariadbd] settings a Galera node needs, from the spec and where the node is.
// Owned by Ordinal (validate.ts refuses them in spec.mariadb.config and providerOptions).
import type { ClusterSpec } from '../api/cluster.js';

export const GALERA_PROVIDER = '/usr/lib/galera/libgalera_smm.so';
/** Galera's default ports: group communication, incremental and full state transfer. */
export const GALERA_PORTS = { group: 4567, ist: 4568, sst: 4444 } as const;

export interface GaleraPlacement {
  clusterName: string;
  nodeName: string;
  /** Every node's group address (host:port), this one included. */
  peers: string[];
  /** How peers reach this node. */
  host: string;
  /** Where it listens (0.0.0.0 in a pod; 127.0.0.1 in the sandbox, where ports tell nodes apart). */
  listenHost: string;
  ports: { group: number; ist: number; sst: number };
  /** Where clients reach it (host:port): members list each other by it (wsrep_incoming_addresses). */
  clientAddress: string;
  /** The account donors use for mariabackup SST; it stays in the option file (mode 0600). */
  sstAuth: { user: string; password: string };
}

export function galeraSettings(spec: ClusterSpec, at: GaleraPlacement): Array<[string, string | number]> {
  const g = spec.galera;
  const provider: Array<[string, string | number | boolean]> = [
    ['gmcast.listen_addr', `tcp://${at.listenHost}:${at.ports.group}`],
    ['ist.recv_addr', `${at.host}:${at.ports.ist}`],
    ['gcache.size', g.gcacheSize],
    // The gcache survives a crash, so nodes coming back after a full crash catch up by IST.
    ['gcache.recover', 'yes'],
    ['gcs.fc_limit', g.flowControlLimit],
    ...(Object.entries(g.providerOptions) as Array<[string, string | number | boolean]>),
  ];

  return [
    ['wsrep_on', 'ON'],
    ['wsrep_provider', GALERA_PROVIDER],
    ['wsrep_cluster_name', at.clusterName],
    ['wsrep_cluster_address', `gcomm://${at.peers.join(',')}`],
    ['wsrep_node_name', at.nodeName],
    ['wsrep_node_address', `${at.host}:${at.ports.group}`],
    ['wsrep_node_incoming_address', at.clientAddress],
    ['wsrep_provider_options', `"${provider.map(([k, v]) => `${k}=${v}`).join(';')}"`],
    ['wsrep_sst_method', g.sstMethod],
    ['wsrep_sst_receive_address', `${at.host}:${at.ports.sst}`],
    ['wsrep_sst_auth', `${at.sstAuth.user}:${at.sstAuth.password}`],
    ['wsrep_slave_threads', 4],
    // Certification needs row events; interleaved auto-increment locks are the only safe mode.
    ['binlog_format', 'ROW'],
    ['innodb_autoinc_lock_mode', 2],
    // Every node is writable: routing, not read_only, decides where writes go.
    ['read_only', 'OFF'],
    // Each node writes its own binary log; Galera, not GTID order, orders the cluster's commits.
    ['gtid_strict_mode', 'OFF'],
  ];
}
