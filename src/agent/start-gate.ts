// The pod's half of the per-start mode (clustering/start-mode.ts). The mysql container does
// not start mariadbd until the operator, which holds the recorded primary, has said how:
// the operator POSTs its decision for every instance whose server is down, and
// `agent start-args` waits here for a decision made after it began to wait, so a
// mariadbd that crashed and restarts inside a running pod never acts on an old word.
import type { StartMode } from '../clustering/start-mode.js';

export interface StartDecision {
  mode: StartMode;
  why: string;
}

interface Waiter {
  resolve: (d: StartDecision | undefined) => void;
  timer: NodeJS.Timeout;
}

export class StartGate {
  private waiters = new Set<Waiter>();

  /** The operator's word; answers everyone waiting now, holds included. */
  decide(d: StartDecision): number {
    const answered = this.waiters.size;
    for (const w of this.waiters) {
      clearTimeout(w.timer);
      w.resolve(d);
    }
    this.waiters.clear();
    return answered;
  }

  /** The next decision, or undefined when none came within `timeoutMs`. */
  next(timeoutMs: number): Promise<StartDecision | undefined> {
    return new Promise((resolve) => {
      const w: Waiter = {
        resolve,
        timer: setTimeout(() => {
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
  return { mode: d.mode, why: typeof d.why === 'string' ? d.why.slice(0, 500) : '' };
}
