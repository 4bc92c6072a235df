import type { Endpoint } from '../db/connection.js';

/** How peers (replicas) reach an instance; the loop may reach it at another address. */
export function peerEndpoint(i: { endpoint: Endpoint; peer?: Endpoint }): Endpoint {
  return i.peer ?? i.endpoint;
}

/** A replica whose source is `source`, by the address replicas use for it. */
export function replicatesFrom(r: { sourceHost: string; sourcePort: number }, source: { endpoint: Endpoint; peer?: Endpoint }): boolean {
  const b = peerEndpoint(source);
  return r.sourcePort === b.port && normalizeHost(r.sourceHost) === normalizeHost(b.host);
}

function normalizeHost(h: string): string {
  return h === 'localhost' ? '127.0.0.1' : h.toLowerCase();
}
