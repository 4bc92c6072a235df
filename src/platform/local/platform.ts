// The HA loop's world in the sandbox: instances are local processes, routing is two TCP
// endpoints, the state is a JSON file written atomically.
import type { ClusterSpec } from '../../api/cluster.js';
import type { ClusterEvent, InstanceTarget, Platform } from '../../clustering/platform.js';
import type { Routes } from '../../clustering/routing.js';
import type { ClusterState, InstanceView } from '../../clustering/types.js';
import type { Credentials } from '../../db/connection.js';
import type { ReplicationSource } from '../../db/dialect.js';
import type { Logger } from '../../clustering/operations.js';
import { writeAtomic } from './files.js';
import type { GaleraNode, GaleraPlatform } from '../../galera/loop.js';
import { storedPosition, type StoredPosition } from '../../galera/stored-position.js';
import type { Fleet } from './fleet.js';
import type { ClusterPaths } from './paths.js';
import type { TcpEndpoint } from './proxy.js';
import type { ClusterSecrets } from './secrets.js';

export interface RecordedEvent extends ClusterEvent {
  time: string;
}

export interface LocalEndpoints {
  readWrite: TcpEndpoint;
  readOnly: TcpEndpoint;
  /** Galera's all-nodes endpoint. */
  readWriteAll?: TcpEndpoint;
}

export class LocalPlatform implements Platform, GaleraPlatform {
  readonly events: RecordedEvent[] = [];
  routes: Routes = { readWrite: null, readOnly: [] };

  constructor(
    private readonly paths: ClusterPaths,
    private readonly fleet: Fleet,
    private readonly secrets: ClusterSecrets,
    private readonly endpoints: LocalEndpoints,
    private readonly log: Logger,
    private spec: ClusterSpec,
  ) {}

  setSpec(spec: ClusterSpec): void {
    this.spec = spec;
  }

  async targets(): Promise<InstanceTarget[]> {
    return this.fleet.ordinals().map((o) => {
      const pid = this.fleet.pid(o);
      return {
        ordinal: o,
        endpoint: { host: '127.0.0.1', port: this.fleet.port(o) },
        processRunning: pid !== undefined,
        starting: this.fleet.starting(o, pid),
        provisioning: this.fleet.provisioning(o) !== undefined,
        hasData: this.fleet.hasData(o),
      };
    });
  }

  operatorCredentials(): Credentials {
    return this.secrets.operator;
  }

  async nodes(): Promise<GaleraNode[]> {
    return this.fleet.ordinals().map((o) => ({ ordinal: o, endpoint: { host: '127.0.0.1', port: this.fleet.port(o) }, running: this.fleet.pid(o) !== undefined }));
  }

  credentials(): Credentials {
    return this.secrets.operator;
  }

  stopNode(ordinal: number): Promise<void> {
    return this.fleet.restartClean(ordinal);
  }

  storedPosition(ordinal: number): Promise<StoredPosition> {
    return storedPosition(this.paths.instance(ordinal).datadir, this.paths.config(ordinal));
  }

  replicationSource(primary: InstanceView): ReplicationSource {
    return { ...primary.endpoint, ...this.secrets.replication, heartbeatSeconds: 0.5 };
  }

  async route(routes: Routes): Promise<void> {
    const backend = (o: number) => ({ host: '127.0.0.1', port: this.fleet.port(o) });
    const changed = JSON.stringify(routes) !== JSON.stringify(this.routes);
    this.routes = routes;
    this.endpoints.readWrite.setBackends(routes.readWrite === null ? [] : [backend(routes.readWrite)]);
    this.endpoints.readOnly.setBackends(routes.readOnly.map(backend));
    this.endpoints.readWriteAll?.setBackends((routes.readWriteAll ?? []).map(backend));
    if (changed) this.log.info({ routes }, 'routing changed');
  }

  restart(ordinal: number): Promise<void> {
    return this.fleet.restart(ordinal);
  }

  rebuild(ordinal: number): Promise<void> {
    return this.fleet.rebuild(ordinal);
  }

  async saveState(state: ClusterState): Promise<void> {
    writeAtomic(this.paths.state, JSON.stringify(state, null, 2));
  }

  event(e: ClusterEvent): void {
    this.events.push({ ...e, time: new Date().toISOString() });
    if (this.events.length > 100) this.events.shift();
    (e.type === 'Warning' ? this.log.warn : this.log.info).call(this.log, { event: e.reason }, e.message);
  }
}
