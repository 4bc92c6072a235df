// `agent init-config`: the pod's first init container. Renders my.cnf from the cluster's
// spec and this pod's ordinal (the same renderServerConfig the sandbox uses), and the option
// files through which the agent and the exporter log in.
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { parseCluster } from '../api/validate.js';
import type { MySQLCluster } from '../api/cluster.js';
import { renderOptionFile } from '../db/accounts.js';
import { writeAtomic } from '../mariadb/files.js';
import { serverIdFor } from '../db/gtid.js';
import { renderServerConfig } from '../mariadb/server-config.js';
import type { AgentConfig } from './config.js';
import { giveToServer, runningAsRoot, serverUser } from './os-user.js';
import { accountsFor } from './secrets.js';
import { GALERA_PORTS } from '../mariadb/galera-settings.js';

export function readCluster(cfg: AgentConfig): MySQLCluster {
  let doc: unknown;
  try {
    doc = JSON.parse(readFileSync(cfg.clusterFile, 'utf8'));
  } catch (err) {
    throw new Error(`cannot read the cluster spec ${cfg.clusterFile}: ${(err as Error).message}`);
  }
  return parseCluster(doc);
}

export async function initConfig(cfg: AgentConfig, say: (line: string) => void): Promise<void> {
  const cluster = readCluster(cfg);
  const accounts = accountsFor(cfg, cluster.spec);
  const myCnf = renderServerConfig(cluster.spec, {
    ordinal: cfg.ordinal,
    port: cfg.mysqlPort,
    bindAddress: '0.0.0.0',
    // No error log file: mariadbd writes to stderr, which is the container's log.
    paths: { datadir: cfg.datadir, socket: cfg.socket, pidFile: cfg.pidFile, initFile: cfg.initFile },
    user: runningAsRoot() ? serverUser() : undefined,
    galera: cluster.spec.mode === 'galera' ? {
      clusterName: cluster.metadata.name,
      nodeName: cfg.podName,
      // Every node's group address by its stable name, this one included, in ordinal order.
      peers: Array.from({ length: cluster.spec.replicas }, (_, k) => `${cfg.clusterName}-${k}.${cfg.headless}:${GALERA_PORTS.group}`),
      host: cfg.host,
      listenHost: '0.0.0.0',
      ports: GALERA_PORTS,
      clientAddress: `${cfg.host}:${cfg.mysqlPort}`,
      sstAuth: accounts.sst!,
    } : undefined,
  });
  // 0600 and the server's: a Galera node's holds the SST password, which the SST scripts
  // (run as the server's user) read from it.
  writeAtomic(cfg.myCnf, myCnf, 0o600);
  await giveToServer(cfg.myCnf);
  writeAtomic(cfg.clientCnf, renderOptionFile(accounts.operator, { socket: cfg.socket }), 0o600);
  writeAtomic(cfg.exporterCnf, renderOptionFile(accounts.exporter, { host: '127.0.0.1', port: cfg.mysqlPort }), 0o600);
  mkdirSync(cfg.dataVolume, { recursive: true });
  mkdirSync(cfg.runDir, { recursive: true });
  // my.cnf always names the init file, so it must exist; empty runs nothing.
  if (!existsSync(cfg.initFile)) writeAtomic(cfg.initFile, '', 0o600);
  await giveToServer(cfg.dataVolume, cfg.runDir);
  say(`instance ${cfg.ordinal} of ${cluster.metadata.name}: wrote ${cfg.myCnf} (server-id ${serverIdFor(cfg.ordinal)}), client.cnf, exporter.cnf`);
}
