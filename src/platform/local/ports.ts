// The sandbox's ports, fixed when a cluster is created (like a Service's ClusterIP).
// Instance i listens on basePort + i; the endpoints on basePort + 10 and basePort + 11.
// A Galera cluster also has the all-nodes endpoint on basePort + 12 and, for node i, its
// group, IST and SST ports at basePort + 20 + 3i .. + 2 (all nodes share 127.0.0.1).
import net from 'node:net';
import { readdirSync } from 'node:fs';
import type { ClusterSpec } from '../../api/cluster.js';
import { readJson, writeAtomic } from './files.js';
import { ClusterPaths, clustersDir } from './paths.js';

export interface Ports {
  basePort: number;
  readWrite: number;
  readOnly: number;
  /** Galera: the endpoint over every synced node, for applications that write anywhere. */
  readWriteAll?: number;
  /** Galera: node i's group port is groupBase + 3i, then its IST and SST ports. */
  groupBase?: number;
}

export const MAX_INSTANCES = 9;

/** The cluster's ports, or undefined before it was created. */
export function findPorts(paths: ClusterPaths): Ports | undefined {
  return readJson<Ports>(paths.ports);
}

export function readPorts(paths: ClusterPaths): Ports {
  const ports = findPorts(paths);
  if (!ports) throw new Error(`${paths.ports} is missing; run ordinal local up again`);
  return ports;
}

export function writePorts(paths: ClusterPaths, ports: Ports): void {
  writeAtomic(paths.ports, JSON.stringify(ports, null, 2));
}

export function instancePort(ports: Ports, ordinal: number): number {
  return ports.basePort + ordinal;
}

export function galeraPorts(ports: Ports, ordinal: number): { group: number; ist: number; sst: number } {
  if (ports.groupBase === undefined) throw new Error('this cluster was created without Galera ports (spec.mode cannot change)');
  const group = ports.groupBase + 3 * ordinal;
  return { group, ist: group + 1, sst: group + 2 };
}

export function layout(basePort: number, spec: Pick<ClusterSpec, 'local' | 'mode'>): Ports {
  const { local } = spec;
  const ports: Ports = { basePort, readWrite: local.readWritePort ?? basePort + 10, readOnly: local.readOnlyPort ?? basePort + 11 };
  return spec.mode === 'galera' ? { ...ports, readWriteAll: basePort + 12, groupBase: basePort + 20 } : ports;
}

export function allPorts(p: Ports): number[] {
  const galera = p.groupBase === undefined ? [] : [p.readWriteAll!, ...Array.from({ length: 3 * MAX_INSTANCES }, (_, i) => p.groupBase! + i)];
  return [...Array.from({ length: MAX_INSTANCES }, (_, i) => p.basePort + i), p.readWrite, p.readOnly, ...galera];
}

/** Ports for a new cluster: the spec's, or the first free block from 13300 in steps of 20. */
export async function choosePorts(clusterSpec: Pick<ClusterSpec, 'local' | 'mode'>): Promise<Ports> {
  const spec = clusterSpec.local;
  const taken = new Set<number>();
  let names: string[] = [];
  try {
    names = readdirSync(clustersDir());
  } catch {
    /* no clusters yet */
  }
  for (const n of names) {
    const p = findPorts(new ClusterPaths(n));
    if (p) allPorts(p).forEach((x) => taken.add(x));
  }
  if (spec.basePort !== undefined) {
    const p = layout(spec.basePort, clusterSpec);
    const busy = await busyPorts(allPorts(p), taken);
    if (busy.length) throw new Error(`spec.local: port(s) ${busy.join(', ')} are already in use`);
    return p;
  }
  for (let base = 13300; base < 60000; base += 20) {
    const p = layout(base, clusterSpec);
    if ((await busyPorts(allPorts(p), taken)).length === 0) return p;
  }
  throw new Error('no free block of local ports found; set spec.local.basePort');
}

async function busyPorts(ports: number[], taken: Set<number>): Promise<number[]> {
  const busy: number[] = [];
  for (const port of ports) if (taken.has(port) || !(await portFree(port))) busy.push(port);
  return busy;
}

export function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

export function portListening(port: number, timeoutMs = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = net.connect({ host: '127.0.0.1', port });
    const t = setTimeout(() => done(false), timeoutMs);
    const done = (v: boolean) => {
      clearTimeout(t);
      sock.destroy();
      resolve(v);
    };
    sock.once('connect', () => done(true));
    sock.once('error', () => done(false));
  });
}
