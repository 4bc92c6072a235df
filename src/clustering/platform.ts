// What the HA loop needs from the world it runs in. The sandbox implements it over local
// processes and TCP proxies, the operator over pods, labels and Services.
import type { Credentials, Endpoint } from '../db/connection.js';
import type { ReplicationSource } from '../db/dialect.js';
import type { Routes } from './routing.js';
import type { StartMode } from './start-mode.js';
import type { ClusterState, InstanceView } from './types.js';

export interface InstanceTarget {
  ordinal: number;
  endpoint: Endpoint;
  /** How replicas reach it, if not at `endpoint`. */
  peer?: Endpoint;
  processRunning?: boolean;
  /** Its server was started and is still in crash recovery (not a crash: see InstanceView). */
  starting?: boolean;
  provisioning?: boolean;
  /** The platform's word that it has a data dir (or volume) even if not running now. */
  hasData?: boolean;
}

export interface ClusterEvent {
  type: 'Normal' | 'Warning';
  reason: string;
  message: string;
}

export interface Platform {
  /** The instances that exist now (desired ones being provisioned included). */
  targets(): Promise<InstanceTarget[]>;
  /** Credentials of the operator's own account. */
  operatorCredentials(): Credentials;
  /** How replicas reach `primary` and log in. */
  replicationSource(primary: InstanceView): ReplicationSource;
  /** Point client traffic. Must drop client connections that no longer match. */
  route(routes: Routes): Promise<void>;
  /** Kill and restart an instance's server: the fence of last resort. */
  restart(ordinal: number): Promise<void>;
  /** Throw away an instance's data and clone it again from a healthy donor. */
  rebuild(ordinal: number): Promise<void>;
  saveState(state: ClusterState): Promise<void>;
  /**
   * Tell a down instance how its server may start, where the instance waits to be told
   * (Kubernetes pods). Called every tick while its server does not answer; never blocks.
   * The sandbox asks start-mode.ts itself at each start instead.
   */
  offerStart?(ordinal: number, mode: StartMode, why: string): void;
  event(e: ClusterEvent): void;
}
