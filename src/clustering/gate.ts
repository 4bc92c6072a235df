// Every act of an HA loop passes one gate: a SQL call on an instance, or a platform action
// (routing, restarts, rebuilds, the saved state, events, start modes). The loop's
// checkpoint throws once the loop was told to stop or its operator no longer holds the
// Lease, so a process that stalled in the middle of an operation and resumed after another
// took over cannot take one more step, whichever callback runs first.
import type { DbConnector, InstanceDb } from '../db/instance-db.js';
import type { Platform } from './platform.js';

export type Checkpoint = () => void;

export function gatedConnector(connect: DbConnector, checkpoint: Checkpoint): DbConnector {
  return (endpoint, opts) => {
    checkpoint();
    const db = connect(endpoint, opts);
    return new Proxy(db, {
      get(target, key) {
        const value = Reflect.get(target, key) as unknown;
        if (typeof value !== 'function') return value;
        return (...args: unknown[]) => {
          checkpoint();
          return (value as (...a: unknown[]) => unknown).apply(target, args);
        };
      },
    }) as InstanceDb;
  };
}

/** The platform with its acting methods gated; what it only reports is left open. */
export function gatedPlatform(platform: Platform, checkpoint: Checkpoint): Platform {
  const gate = <A extends unknown[], R>(fn: (...a: A) => R) => (...args: A): R => {
    checkpoint();
    return fn.apply(platform, args);
  };
  return {
    targets: () => platform.targets(),
    operatorCredentials: () => platform.operatorCredentials(),
    replicationSource: (primary) => platform.replicationSource(primary),
    route: gate(platform.route),
    restart: gate(platform.restart),
    rebuild: gate(platform.rebuild),
    saveState: gate(platform.saveState),
    event: gate(platform.event),
    offerStart: platform.offerStart && gate(platform.offerStart),
  };
}
