// The sandbox's half of a Galera cluster: when the fleet may start each node and with what
// arguments (from the Galera loop's recovery plan), and the status document.
import { mkdirSync, renameSync } from 'node:fs';
import type { MySQLCluster } from '../../api/cluster.js';
import type { ClusterState } from '../../clustering/types.js';
import type { GaleraLoop, GaleraNodeState, GaleraNodeSummary } from '../../galera/loop.js';
import { startStep } from '../../galera/start.js';
import { nextRollingStep } from '../../galera/rolling.js';
import type { Logger } from '../../clustering/operations.js';
import { markSafeToBootstrapFile } from '../../galera/stored-position.js';
import type { Fleet, FleetHooks, StartDecision } from './fleet.js';
import { hasData } from './mariadbd.js';
import type { ClusterPaths } from './paths.js';
import type { LocalPlatform } from './platform.js';
import type { Ports } from './ports.js';
import type { ClusterSecrets } from './secrets.js';
import { endpointsOf, type LocalStatus } from './status.js';

type GaleraHooks = Pick<FleetHooks, 'donor' | 'missingData' | 'startArgs'>;

export function galeraFleetHooks(paths: ClusterPaths, loop: () => GaleraLoop | undefined, event: FleetHooks['event']): GaleraHooks {
  return {
    // Joiners get their copy from a donor Galera picks (SST); the fleet never clones.
    donor: () => undefined,
    missingData: (o) => (loop()?.plan().kind === 'new' && o === 0 ? 'initialize' : 'start-empty'),
    startArgs: (o) => {
      const l = loop();
      if (!l) return { hold: 'the Galera loop is not running yet' };
      const decision = startDecision(paths, l, o, event);
      if ('args' in decision) l.started(o);
      return decision;
    },
  };
}

function startDecision(paths: ClusterPaths, loop: GaleraLoop, o: number, event: FleetHooks['event']): StartDecision {
  const datadir = paths.instance(o).datadir;
  const plan = loop.plan();
  const step = startStep(plan, { ordinal: o, hasData: hasData(paths, o), stored: loop.storedPosition(o)?.position, cluster: loop.clusterPosition(), stillMember: loop.isMember(o) });
  if (step.kind === 'hold') return { hold: step.why };
  if (step.bootstrap) {
    markSafeToBootstrapFile(datadir);
    void loop.bootstrapping(o, plan.why);
  }
  if (step.keepDataAside) {
    const kept = `${datadir}.kept-${new Date().toISOString().replace(/[:.]/g, '-')}`;
    renameSync(datadir, kept);
    mkdirSync(datadir);
    event('Warning', 'DataKeptAside', `node ${o}: ${step.why}; its data is in ${kept}`);
  }
  return { args: step.args, why: step.why };
}

/**
 * Restarts nodes whose settings changed, one at a time (galera/rolling.ts), each only after
 * the previous one is back and synced. Runs until stop() is called.
 */
export function rollSettingChanges(fleet: Fleet, loop: GaleraLoop, replicas: () => number, event: FleetHooks['event'], log: Logger): { stop(): void } {
  let stopped = false;
  let busy = false;
  const timer = setInterval(() => {
    if (busy || stopped) return;
    busy = true;
    void (async () => {
      const summary = loop.summary();
      if (!summary) return;
      const serving = summary.nodes.filter((n) => n.ready).map((n) => n.ordinal);
      // The peer list matters only when a node starts; a scale change alone restarts nobody.
      const stale = fleet.ordinals().filter((o) => o < replicas() && fleet.configChanged(o, /^wsrep_cluster_address\b/));
      const step = nextRollingStep({ replicas: replicas(), serving, stale, writer: summary.writer });
      if (step.kind === 'moveWriter') {
        await loop.switchover(undefined);
      } else if (step.kind === 'restart') {
        event('Normal', 'RollingRestart', `restarting node ${step.ordinal}: its settings changed`);
        await fleet.restartClean(step.ordinal);
        // The next step waits for a summary taken after this node is back and synced.
        const since = Date.now();
        while (!stopped && !(loop.summary()!.observedAt > since && loop.summary()!.nodes.every((n) => n.ready))) await new Promise((r) => setTimeout(r, 250));
      }
    })().catch((err) => log.warn({ err: (err as Error).message }, 'rolling restart step failed')).finally(() => (busy = false));
  }, 1000);
  return { stop: () => { stopped = true; clearInterval(timer); } };
}

export function buildGaleraStatus(cluster: MySQLCluster, ports: Ports, secrets: ClusterSecrets, state: ClusterState, fleet: Fleet, platform: LocalPlatform, loop: GaleraLoop): LocalStatus {
  const summary = loop.summary();
  const byOrdinal = new Map(summary?.nodes.map((n) => [n.ordinal, n]));
  return {
    name: cluster.metadata.name,
    mode: 'galera',
    phase: summary?.phase ?? 'Creating',
    primary: state.primary,
    endpoints: endpointsOf(ports),
    credentials: { user: secrets.app.user, database: secrets.app.database, passwordFile: secrets.app.passwordFile },
    instances: fleet.ordinals().map((o) => {
      const n = byOrdinal.get(o);
      const { ordinal: _o, role, ready, reachable, message, ...galera } = n ?? ({} as Partial<GaleraNodeSummary>);
      return {
        ordinal: o,
        pid: fleet.pid(o) ?? null,
        port: fleet.port(o),
        role: role ?? 'node',
        ready: ready ?? false,
        readOnly: n ? false : null,
        errant: false,
        reachable: reachable ?? false,
        lagSeconds: null,
        message: message ?? fleet.heldBecause(o),
        provisioning: fleet.provisioning(o),
        galera: n && (galera as GaleraNodeState),
      };
    }),
    failovers: state.failovers,
    recoveries: state.recoveries,
    switchovers: state.switchovers,
    message: summary && summary.plan.kind !== 'join' ? summary.plan.why : undefined,
    observedAt: summary ? new Date(summary.observedAt).toISOString() : undefined,
    routes: platform.routes,
    events: platform.events.slice(-20),
    supervisor: { pid: process.pid, running: true },
    galera: {
      writer: state.primary,
      clusterSize: summary?.clusterSize ?? 0,
      plan: summary?.plan.kind ?? 'wait',
      lastBootstrap: state.galera?.lastBootstrap,
    },
  };
}
