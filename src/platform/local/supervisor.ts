// The sandbox's background process: one per cluster. It runs the fleet (mariadbd
// processes), the HA loop, the two client endpoints and the control channel. Killing it
// loses nothing: the servers keep running and the next supervisor adopts them.
import { spawn } from 'node:child_process';
import { existsSync, openSync, unlinkSync } from 'node:fs';
import { dirname } from 'node:path';
import pino from 'pino';
import { loadClusterFile } from '../../api/load.js';
import type { MySQLCluster } from '../../api/cluster.js';
import { faultInjection } from '../../clustering/fault.js';
import { ClusterLoop } from '../../clustering/loop.js';
import { policyFrom } from '../../clustering/policy.js';
import { serverArgs, startMode } from '../../clustering/start-mode.js';
import { mayStartEmpty } from '../../clustering/bootstrap.js';
import { initialState, type ClusterState } from '../../clustering/types.js';
import { serveControl } from './control.js';
import { pidRuns, readJson, readPid, writeAtomic } from './files.js';
import { Fleet } from './fleet.js';
import { LocalBackupSchedule } from './backup-schedule.js';
import { ClusterPaths } from './paths.js';
import { startArchiver } from './pitr.js';
import { LocalPlatform, type LocalEndpoints } from './platform.js';
import { GaleraLoop, galeraPolicy } from '../../galera/loop.js';
import { buildGaleraStatus, galeraFleetHooks, rollSettingChanges } from './galera.js';
import { readPorts } from './ports.js';
import { TcpEndpoint } from './proxy.js';
import { ensureSecrets } from './secrets.js';
import { buildStatus } from './status.js';
import { serveMetrics } from './metrics.js';

export const SUPERVISOR_MARK = 'local supervise';

export function supervisorPid(paths: ClusterPaths): number | undefined {
  const pid = readPid(paths.supervisorPid);
  return pid && pidRuns(pid, paths.name) && pidRuns(pid, 'supervise') ? pid : undefined;
}

/** Start the cluster's supervisor in the background; returns its pid. */
export function startSupervisor(paths: ClusterPaths): number | undefined {
  const log = openSync(paths.supervisorLog, 'a');
  // Same node, same loader flags (tsx in development), same entry script.
  const child = spawn(process.execPath, [...process.execArgv, process.argv[1], 'local', 'supervise', paths.name], {
    detached: true,
    stdio: ['ignore', log, log],
    env: process.env,
  });
  child.unref();
  return child.pid;
}

export async function supervise(name: string): Promise<void> {
  const paths = new ClusterPaths(name);
  const other = supervisorPid(paths);
  if (other && other !== process.pid) throw new Error(`a supervisor for ${name} already runs (pid ${other})`);
  writeAtomic(paths.supervisorPid, `${process.pid}\n`);

  const log = pino({ base: { cluster: name } }, pino.destination({ dest: paths.supervisorLog, append: true, sync: true }));
  let cluster: MySQLCluster = loadClusterFile(paths.spec);
  const ports = readPorts(paths);
  const state: ClusterState = { ...initialState(), ...readJson<ClusterState>(paths.state) };
  const secrets = ensureSecrets(paths, cluster.spec, dirname(paths.spec));

  const endpoints: LocalEndpoints = {
    readWrite: new TcpEndpoint('127.0.0.1', ports.readWrite, 'read-write'),
    readOnly: new TcpEndpoint('127.0.0.1', ports.readOnly, 'read-only'),
    ...(ports.readWriteAll ? { readWriteAll: new TcpEndpoint('127.0.0.1', ports.readWriteAll, 'read-write-all') } : {}),
  };
  for (const e of Object.values(endpoints)) await e.listen();

  // spec.mode is fixed at creation: one of the two loops runs for the supervisor's life.
  let loop: ClusterLoop | undefined;
  let galera: GaleraLoop | undefined;
  const event = (type: 'Normal' | 'Warning', reason: string, message: string) => platform.event({ type, reason, message });
  const fleet: Fleet = new Fleet(paths, cluster.spec, ports, secrets, state, {
    donor: (): number | undefined => {
      const summary = loop?.summary();
      const ready = summary?.instances.filter((i) => i.ready && i.role === 'replica' && fleet.pid(i.ordinal));
      if (ready?.length) return ready[0].ordinal;
      return state.primary !== null && fleet.pid(state.primary) && summary?.instances.find((i) => i.ordinal === state.primary)?.ready ? state.primary : undefined;
    },
    missingData: (ordinal, peers) => (mayStartEmpty({ ordinal, primaryRecorded: state.primary !== null, peers }).allowed ? 'initialize' : 'clone'),
    startArgs: (ordinal, crashedAsPrimary) => {
      const { mode, why } = startMode({ ordinal, state, crashedAsPrimary, failoverBlocked: loop?.failoverBlocked() ?? false });
      return mode === 'hold' ? { hold: why } : { args: serverArgs(mode), why };
    },
    movePrimaryAway: async () => {
      await (galera ?? loop)?.switchover(undefined).catch((err) => log.warn({ err: err.message }, 'switchover before scale-down failed'));
    },
    event,
    ...(cluster.spec.mode === 'galera' ? galeraFleetHooks(paths, () => galera, event) : {}),
  }, log);
  const platform = new LocalPlatform(paths, fleet, secrets, endpoints, log, cluster.spec);
  if (cluster.spec.mode === 'galera') galera = new GaleraLoop(platform, galeraPolicy(cluster.spec), state, log);
  else loop = new ClusterLoop(platform, policyFrom(cluster.spec), state, log, { tickMs: 250, observeDeadlineMs: 800, fault: faultInjection(log) });
  const rolling = galera && rollSettingChanges(fleet, galera, () => cluster.spec.replicas, event, log);
  let pitr = startArchiver(paths, cluster.spec, ports, secrets, state, log);
  const scheduleFor = (spec: typeof cluster.spec) => spec.backupSchedule
    ? new LocalBackupSchedule(paths, spec, () => loop?.summary()?.instances ?? [], (type, reason, message) => platform.event({ type, reason, message }), log)
    : undefined;
  let schedule = scheduleFor(cluster.spec);

  const shutdown = async (stopInstances: boolean) => {
    log.info({ stopInstances }, 'supervisor stopping');
    // A tick or a reconcile may wait on a server for a while; never longer than this.
    const bounded = (p: Promise<void>) => Promise.race([p, new Promise<void>((r) => setTimeout(r, 15_000).unref())]);
    rolling?.stop();
    await bounded((galera ?? loop)!.stop());
    await bounded(fleet.stop());
    if (pitr) await bounded(pitr.archiver.stop());
    schedule?.stop();
    if (stopInstances) await fleet.stopAll();
    for (const e of Object.values(endpoints)) await e.close();
    control.close();
    metrics.close();
    for (const f of [paths.control, paths.supervisorPid]) if (existsSync(f)) unlinkSync(f);
    log.flush?.();
    process.exit(0);
  };

  const statusNow = () => galera
    ? buildGaleraStatus(cluster, ports, secrets, state, fleet, platform, galera)
    : buildStatus(cluster, ports, secrets, state, fleet, platform, loop!, pitr, schedule);
  const metrics = await serveMetrics(name, statusNow, () => cluster.spec.replicas);
  const control = await serveControl(paths.control, {
    'GET /status': async () => {
      const s = statusNow();
      return { ...s, supervisor: { ...s.supervisor, metrics: metrics.address } };
    },
    'POST /switchover': async (body: { to?: number }) => {
      await (galera ?? loop)!.switchover(body.to);
      return { primary: state.primary };
    },
    'POST /rebuild': async (body: { ordinal: number }) => {
      // A Galera node rebuilt starts empty and receives a full copy (SST) from a synced node.
      await (galera ? fleet.rebuild(body.ordinal) : loop!.rebuild(body.ordinal));
      return { rebuilt: body.ordinal };
    },
    'POST /recover': async (body: { from: number }) => {
      if (!galera) throw new Error('recover --from applies to Galera clusters; a primary-replica cluster fails over by itself');
      galera.forceRecoveryFrom(body.from);
      return { from: body.from };
    },
    'POST /backup': async () => {
      if (!schedule) throw new Error('the cluster has no spec.backupSchedule; give --to LOCATION');
      await schedule.run();
      return schedule.status();
    },
    'POST /reload': async () => {
      cluster = loadClusterFile(paths.spec);
      fleet.setSpec(cluster.spec);
      platform.setSpec(cluster.spec);
      if (galera) galera.setPolicy(galeraPolicy(cluster.spec));
      else loop!.setPolicy(policyFrom(cluster.spec));
      if (JSON.stringify(cluster.spec.pitr) !== (pitr?.spec ?? JSON.stringify(undefined))) {
        await pitr?.archiver.stop();
        pitr = startArchiver(paths, cluster.spec, ports, secrets, state, log);
      }
      if (JSON.stringify(cluster.spec.backupSchedule) !== (schedule?.spec ?? JSON.stringify(undefined))) {
        schedule?.stop();
        schedule = scheduleFor(cluster.spec);
      }
      log.info({ replicas: cluster.spec.replicas }, 'spec reloaded');
      return { replicas: cluster.spec.replicas };
    },
    'POST /shutdown': async (body: { stopInstances?: boolean }) => {
      setImmediate(() => void shutdown(body.stopInstances === true));
      return { stopping: true };
    },
  });

  process.on('SIGTERM', () => void shutdown(false));
  process.on('SIGINT', () => void shutdown(false));
  // If the cluster's folder is deleted or another supervisor took over, this one must go.
  setInterval(() => {
    if (readPid(paths.supervisorPid) !== process.pid) {
      log.warn({}, 'supervisor.pid no longer names this process; stopping');
      void shutdown(!existsSync(paths.spec));
    }
  }, 5000).unref();
  log.info({ pid: process.pid, ports }, 'supervisor started');
  fleet.start();
  (galera ?? loop)!.start();
}
