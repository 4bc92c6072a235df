// The operations a running supervisor carries out on request: a switchover, a rebuild, a
// Galera recovery from a node a person chose.
import { callControl } from '../platform/local/control.js';
import { controlSocket } from './clusters.js';

/** Moves the primary role to `to`, or to the best replica; resolves once it is done. */
export async function switchover(name: string, to?: number): Promise<{ primary: number; seconds: number }> {
  const started = Date.now();
  const r = await callControl<{ primary: number }>(controlSocket(name), 'POST', '/switchover', { to }, 120_000);
  return { primary: r.primary, seconds: (Date.now() - started) / 1000 };
}

/** Throws the instance's data away and clones it again; resolves once the copy runs. */
export async function rebuild(name: string, ordinal: number): Promise<void> {
  await callControl(controlSocket(name), 'POST', '/rebuild', { ordinal }, 900_000);
}

/** Galera: bootstrap the cluster from this node the next time no Primary component exists. */
export async function recoverFrom(name: string, from: number): Promise<void> {
  await callControl(controlSocket(name), 'POST', '/recover', { from });
}
