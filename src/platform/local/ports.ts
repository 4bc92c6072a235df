// The sandbox's ports, fixed when a cluster is created (like a Service's ClusterIP).
// Instance i listens on basePort + i; the endpoints on basePort + 10 and basePort + 11.
import net from 'node:net';
import { readdirSync } from 'node:fs';
import type { ClusterSpec } from '../../api/cluster.js';
import { readJson, writeAtomic } from './files.js';
import { ClusterPaths, clustersDir } from './paths.js';

export interface Ports {
  basePort: number;
  readWrite: number;
  readOnly: number;
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

export function layout(basePort: number, spec: ClusterSpec['local']): Ports {
  return { basePort, readWrite: spec.readWritePort ?? basePort + 10, readOnly: spec.readOnlyPort ?? basePort + 11 };
}

export function allPorts(p: Ports): number[] {
  return [...Array.from({ length: MAX_INSTANCES }, (_, i) => p.basePort + i), p.readWrite, p.readOnly];
}

/** Ports for a new cluster: the spec's, or the first free block from 13300 in steps of 20. */
export async function choosePorts(spec: ClusterSpec['local']): Promise<Ports> {
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
    const p = layout(spec.basePort, spec);
    const busy = await busyPorts(allPorts(p), taken);
    if (busy.length) throw new Error(`spec.local: port(s) ${busy.join(', ')} are already in use`);
    return p;
  }
  for (let base = 13300; base < 60000; base += 20) {
    const p = layout(base, spec);
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
