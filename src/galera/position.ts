// PURE: a Galera node's place in the cluster's history (state UUID and seqno), as its
// grastate.dat or a `mariadbd --wsrep-recover` run tells it.

export interface Position {
  uuid: string;
  /** The last committed write-set; -1 when the file does not know (the server did not stop cleanly). */
  seqno: number;
}

export interface GrastateFile extends Position {
  /** Galera's own mark of the node that may bootstrap (the last to leave a clean shutdown). */
  safeToBootstrap: boolean;
}

export const ZERO_UUID = '00000000-0000-0000-0000-000000000000';

/** A node that never joined a cluster, or whose data holds no write-set. */
export function isEmpty(p: Position): boolean {
  return p.uuid === ZERO_UUID;
}

export function parseGrastate(text: string): GrastateFile | undefined {
  const field = (name: string) => new RegExp(`^${name}:\\s*(\\S+)\\s*$`, 'm').exec(text)?.[1];
  const uuid = field('uuid');
  const seqno = Number(field('seqno'));
  if (!uuid || !Number.isInteger(seqno)) return undefined;
  return { uuid, seqno, safeToBootstrap: field('safe_to_bootstrap') === '1' };
}

/** The same file with safe_to_bootstrap set: Galera refuses --wsrep-new-cluster on a node without it. */
export function markSafeToBootstrap(text: string): string {
  return /^safe_to_bootstrap:/m.test(text)
    ? text.replace(/^safe_to_bootstrap:.*$/m, 'safe_to_bootstrap: 1')
    : `${text.trimEnd()}\nsafe_to_bootstrap: 1\n`;
}

/** The position in a `--wsrep-recover` run's log ("WSREP: Recovered position: uuid:seqno"). */
export function parseRecoveredPosition(log: string): Position | undefined {
  const all = [...log.matchAll(/WSREP: Recovered position:\s+([0-9a-f-]{36}):(-?[0-9]+)/g)];
  const last = all.at(-1);
  return last ? { uuid: last[1], seqno: Number(last[2]) } : undefined;
}

export function formatPosition(p: Position): string {
  return `${p.uuid}:${p.seqno}`;
}
