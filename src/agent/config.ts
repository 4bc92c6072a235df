// Where everything is for one instance, from the pod's environment (docs/kubernetes.md).
// ORDINAL_AGENT_ROOT prefixes every path and ORDINAL_PEERS replaces the headless-Service
// names, so the same code runs outside Kubernetes (tests) with nothing but env.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { AGENT_PORT, MYSQL_PORT } from '../builders/names.js';

export interface AgentConfig {
  podName: string;
  clusterName: string;
  ordinal: number;
  agentPort: number;
  mysqlPort: number;
  /** Other instances' agents, "host:port". */
  peers: string[];
  /** The headless Service whose names reach each pod (NAME-k.HEADLESS). */
  headless: string;
  /** How the other pods reach this one (its stable DNS name). */
  host: string;
  /** The data volume (/var/lib/mysql). */
  dataVolume: string;
  datadir: string;
  /** SQL mariadbd runs at every start; the agent empties it once the server has answered. */
  initFile: string;
  /** mariadb-backup's scratch folder for a clone it serves. */
  backupTmp: string;
  myCnf: string;
  clientCnf: string;
  exporterCnf: string;
  clusterFile: string;
  secretsDir: string;
  runDir: string;
  socket: string;
  pidFile: string;
}

export function agentConfig(env: NodeJS.ProcessEnv = process.env): AgentConfig {
  const root = env.ORDINAL_AGENT_ROOT ?? '/';
  const at = (p: string) => join(root, p);
  const podName = required(env, 'POD_NAME');
  const m = /^(.+)-(\d+)$/.exec(podName);
  if (!m) throw new Error(`POD_NAME "${podName}" is not NAME-ORDINAL`);
  const clusterName = env.CLUSTER_NAME || m[1];
  if (m[1] !== clusterName) throw new Error(`POD_NAME "${podName}" does not belong to cluster "${clusterName}"`);
  const ordinal = Number(m[2]);
  const agentPort = port(env, 'ORDINAL_AGENT_PORT', AGENT_PORT);
  const headless = env.HEADLESS_SERVICE || `${clusterName}-headless`;
  return {
    podName,
    clusterName,
    ordinal,
    agentPort,
    mysqlPort: port(env, 'ORDINAL_MYSQL_PORT', MYSQL_PORT),
    peers: env.ORDINAL_PEERS !== undefined ? list(env.ORDINAL_PEERS) : dnsPeers(env, clusterName, ordinal, agentPort, at('etc/ordinal/cluster/cluster.json')),
    headless,
    host: env.ORDINAL_HOST || `${podName}.${headless}`,
    dataVolume: at('var/lib/mysql'),
    datadir: at('var/lib/mysql/data'),
    initFile: at('var/lib/mysql/init.sql'),
    backupTmp: at('var/lib/mysql/backup.tmp'),
    myCnf: at('etc/ordinal/mysql/my.cnf'),
    clientCnf: at('etc/ordinal/mysql/client.cnf'),
    exporterCnf: at('etc/ordinal/mysql/exporter.cnf'),
    clusterFile: at('etc/ordinal/cluster/cluster.json'),
    secretsDir: at('etc/ordinal/secrets'),
    runDir: at('run/mysqld'),
    socket: at('run/mysqld/mysqld.sock'),
    pidFile: at('run/mysqld/mysqld.pid'),
  };
}

/**
 * `NAME-k.NAME-headless:9601` for every other ordinal of the spec. The count comes from the
 * cluster file, not from the pod's environment: an env var would change the pod template on
 * every scale and restart every instance.
 */
function dnsPeers(env: NodeJS.ProcessEnv, cluster: string, self: number, agentPort: number, clusterFile: string): string[] {
  const replicas = env.REPLICAS ? Number(env.REPLICAS) : Number((JSON.parse(readFileSync(clusterFile, 'utf8')) as { spec?: { replicas?: unknown } }).spec?.replicas);
  if (!Number.isInteger(replicas) || replicas < 1) throw new Error(`the replica count (REPLICAS or spec.replicas of ${clusterFile}) is not a positive integer`);
  const service = env.HEADLESS_SERVICE || `${cluster}-headless`;
  return Array.from({ length: replicas }, (_, k) => k)
    .filter((k) => k !== self)
    .map((k) => `${cluster}-${k}.${service}:${agentPort}`);
}

function list(v: string): string[] {
  return v.split(',').map((s) => s.trim()).filter(Boolean);
}

function port(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const v = env[name];
  if (v === undefined || v === '') return fallback;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > 65535) throw new Error(`${name} "${v}" is not a port`);
  return n;
}

function required(env: NodeJS.ProcessEnv, name: string): string {
  const v = env[name];
  if (!v) throw new Error(`${name} is not set`);
  return v;
}
