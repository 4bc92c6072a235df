// The pod's half of the per-start mode (clustering/start-mode.ts). The mysql container does
// not start mariadbd until the operator, which holds the recorded primary, has said how:
// the operator POSTs its decision for every instance whose server is down, and
// `agent start-args` waits here for a decision made after it began to wait, so a
// mariadbd that crashed and restarts inside a running pod never acts on an old word.
import type { StartMode } from '../clustering/start-mode.js';

export interface StartDecision {
  mode: StartMode;
  why: string;
  /** Galera (galera/start.ts): extra arguments, and what the agent does before the start. */
  args?: string[];
  /** Initialize an empty data dir first: node 0 of a new cluster. */
  initialize?: boolean;
  /** Mark grastate.dat safe_to_bootstrap: this node starts a new Primary component. */
  bootstrap?: boolean;
  /** Rename the data dir aside and start empty: its data is ahead of the cluster's. */
  keepDataAside?: boolean;
}

/** The only extra arguments the operator may ask for: never a path, never a setting. */
const ALLOWED_ARG = /^(--wsrep-new-cluster|--wsrep-start-position=[0-9a-f-]{36}:-?[0-9]+)$/;

interface Waiter {
  resolve: (d: StartDecision | undefined) => void;
  timer: NodeJS.Timeout;
}

export class StartGate {
  private waiters = new Set<Waiter>();
  private lastAskedAt = 0;

  /** The mysql container waits here now, or did a moment ago (between two polls): its server is down. */
  asked(withinMs = 2000): boolean {
    return this.waiters.size > 0 || Date.now() - this.lastAskedAt < withinMs;
  }

  /** The operator's word; answers everyone waiting now, holds included. */
  decide(d: StartDecision): number {
    const answered = this.waiters.size;
    for (const w of this.waiters) {
      clearTimeout(w.timer);
      w.resolve(d);
    }
    this.waiters.clear();
    // A start: the server runs from now on, whenever the last poll began.
    if (answered > 0 && d.mode !== 'hold') this.lastAskedAt = 0;
    return answered;
  }

  /** The next decision, or undefined when none came within `timeoutMs`. */
  next(timeoutMs: number): Promise<StartDecision | undefined> {
    this.lastAskedAt = Date.now();
    return new Promise((resolve) => {
      const w: Waiter = {
        resolve,
        timer: setTimeout(() => {
          this.lastAskedAt = Date.now();
          this.waiters.delete(w);
          resolve(undefined);
        }, timeoutMs),
      };
      this.waiters.add(w);
    });
  }
}

export function parseDecision(body: string): StartDecision {
  let v: unknown;
  try {
    v = JSON.parse(body);
  } catch {
    throw new Error('the body is not JSON');
  }
  const d = v as Partial<StartDecision>;
  if (d?.mode !== 'keep' && d?.mode !== 'truncate' && d?.mode !== 'hold') throw new Error('mode must be keep, truncate or hold');
  const args = d.args ?? [];
  if (!Array.isArray(args) || !args.every((a) => typeof a === 'string' && ALLOWED_ARG.test(a))) throw new Error('args may only be --wsrep-new-cluster and --wsrep-start-position=UUID:SEQNO');
  return {
    mode: d.mode,
    why: typeof d.why === 'string' ? d.why.slice(0, 500) : '',
    ...(args.length ? { args } : {}),
    ...(d.initialize === true ? { initialize: true } : {}),
    ...(d.bootstrap === true ? { bootstrap: true } : {}),
    ...(d.keepDataAside === true ? { keepDataAside: true } : {}),
  };
}
