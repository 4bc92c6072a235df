// `agent init-data`: the pod's second init container. An instance with data keeps it; a new
// one is cloned from the best peer over HTTP, or, as instance 0 of a cluster that has no data
// anywhere, initialized empty. The first-start SQL goes to the init file that my.cnf names.
import { mkdirSync } from 'node:fs';
import { bootstrapSql } from '../db/accounts.js';
import { cloneInitSql, cloneInto, extractStream } from '../mariadb/backup-tools.js';
import { hasData, installDatadir, rollBackPrepared } from '../mariadb/datadir.js';
import { writeAtomic } from '../mariadb/files.js';
import type { AgentConfig } from './config.js';
import { planData } from './donor.js';
import { readCluster } from './init-config.js';
import { giveToServer, serverUser } from './os-user.js';
import { askPeer, fetchBinlogState, fetchGtidAt, openClone } from './peers.js';
import { accountsFor, readSecret } from './secrets.js';

const PROGRESS_EVERY_MS = 5000;

export async function initData(cfg: AgentConfig, say: (line: string) => void): Promise<void> {
  if (hasData(cfg.datadir)) {
    say(`${cfg.datadir} holds data: nothing to do`);
    return;
  }
  if (readCluster(cfg).spec.mode === 'galera') {
    // A Galera node never clones: node 0 of a new cluster is initialized when the operator
    // says so at its start, every other node receives a full copy (SST) from a donor.
    mkdirSync(cfg.datadir, { recursive: true });
    await giveToServer(cfg.datadir);
    say(`${cfg.datadir} is empty: the node starts as the operator decides (a new cluster, or a full copy from a donor)`);
    return;
  }
  const answers = await Promise.all(cfg.peers.map(askPeer));
  for (const a of answers) {
    say(a.status ? `peer ${a.peer}: hasData=${a.status.hasData} serverUp=${a.status.serverUp} readOnly=${a.status.readOnly ?? '-'}` : `peer ${a.peer}: ${a.absent ? 'does not exist' : `no answer (${a.error})`}`);
  }
  const plan = planData(cfg.ordinal, answers);
  if (plan.kind === 'wait') throw new Error(`instance ${cfg.ordinal} has no data and cannot get any yet: ${plan.reason}`);
  if (plan.kind === 'initialize') {
    const cluster = readCluster(cfg);
    say('no peer has data: initializing an empty data dir as the first primary');
    // Written first: a data dir is only ever in place together with its first-start SQL.
    writeAtomic(cfg.initFile, bootstrapSql(accountsFor(cfg, cluster.spec)), 0o600);
    await giveToServer(cfg.initFile);
    await installDatadir(cfg.datadir, serverUser());
    say(`initialized ${cfg.datadir}; the accounts are created on first start`);
    return;
  }
  const token = readSecret(cfg, 'agent-token');
  say(`cloning from ${plan.donor} (${plan.role})`);
  let lastSaid = Date.now();
  const result = await cloneInto(
    cfg.datadir,
    async (staging) => extractStream(await openClone(plan.donor, token), staging, (bytes) => {
      if (Date.now() - lastSaid < PROGRESS_EVERY_MS) return;
      lastSaid = Date.now();
      say(`received ${mb(bytes)} MB`);
    }),
    { binlogState: () => fetchBinlogState(plan.donor, token), gtidAt: (file, pos) => fetchGtidAt(plan.donor, token, file, pos) },
    async (r, staging) => {
      writeAtomic(cfg.initFile, cloneInitSql(r), 0o600);
      await giveToServer(staging, cfg.initFile);
    },
  );
  await rollBackPrepared(cfg.myCnf, cfg.runDir);
  say(`cloned from ${plan.donor}: ${mb(result.bytes)} MB in ${result.seconds.toFixed(1)} s, at GTID ${result.gtid || '(empty)'}; prepared transactions of the copy rolled back`);
}

const mb = (bytes: number) => (bytes / 1e6).toFixed(1);
