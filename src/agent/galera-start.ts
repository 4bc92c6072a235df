// What a Galera node's start needs before its server runs (galera/start.ts decides it): an
// initialized data dir and the accounts' first-start SQL for node 0 of a new cluster, the
// bootstrap mark, or data ahead of the cluster renamed aside. Done by the agent, which holds
// the secrets, when the operator's word arrives and before the mysql container gets it.
import { existsSync, mkdirSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { bootstrapSql } from '../db/accounts.js';
import { markSafeToBootstrapFile } from '../galera/stored-position.js';
import { hasData, installDatadir } from '../mariadb/datadir.js';
import { writeAtomic } from '../mariadb/files.js';
import type { AgentConfig } from './config.js';
import { readCluster } from './init-config.js';
import { giveToServer, serverUser } from './os-user.js';
import { accountsFor } from './secrets.js';
import type { StartDecision } from './start-gate.js';

export async function prepareGaleraStart(cfg: AgentConfig, d: StartDecision, say: (line: string) => void): Promise<void> {
  if (d.keepDataAside && hasData(cfg.datadir)) {
    const kept = `${cfg.datadir}.kept-${new Date().toISOString().replace(/[:.]/g, '-')}`;
    renameSync(cfg.datadir, kept);
    mkdirSync(cfg.datadir);
    await giveToServer(cfg.datadir);
    say(`kept this node's data aside in ${kept}: it is ahead of the cluster's; the node joins with a full copy`);
  }
  if (d.initialize && !hasData(cfg.datadir)) {
    const cluster = readCluster(cfg);
    writeAtomic(cfg.initFile, bootstrapSql(accountsFor(cfg, cluster.spec)), 0o600);
    await giveToServer(cfg.initFile);
    await installDatadir(cfg.datadir, serverUser());
    say(`initialized ${cfg.datadir} for a new Galera cluster; the accounts are created on first start`);
  }
  if (d.bootstrap && existsSync(join(cfg.datadir, 'grastate.dat'))) {
    markSafeToBootstrapFile(cfg.datadir);
    // Written anew by this (root) process: the server must be able to rewrite it.
    await giveToServer(join(cfg.datadir, 'grastate.dat'));
  }
}
