import type { Endpoint } from '../db/connection.js';

export function sameEndpoint(a: { sourceHost: string; sourcePort: number }, b: Endpoint): boolean {
  return a.sourcePort === b.port && normalizeHost(a.sourceHost) === normalizeHost(b.host);
}

function normalizeHost(h: string): string {
  return h === 'localhost' ? '127.0.0.1' : h.toLowerCase();
}
