// PURE: how an instance's server may (re)start. With the binary log on, MariaDB answers
// COMMIT before InnoDB's commit record is durable: after a crash, the prepared
// transactions at the binary log's tail may be acknowledged commits. A plain start
// ("keep") commits them; `--init-rpl-role=SLAVE` ("truncate") rolls them back. Truncating
// is safe only once a newer primary that holds every commit this instance acknowledged has
// been recorded; until then a crashed primary either keeps its tail or waits ("hold").
import type { ClusterState } from './types.js';

export type StartMode = 'keep' | 'truncate' | 'hold';

export interface StartInput {
  ordinal: number;
  state: ClusterState;
  /** This supervisor saw the server exit while it was the recorded primary. */
  crashedAsPrimary: boolean;
  /** The loop cannot fail over from this primary now (disabled, held back, no candidate). */
  failoverBlocked: boolean;
}

export function startMode(i: StartInput): { mode: StartMode; why: string } {
  const { ordinal: o, state } = i;
  const op = state.operation;
  if (op?.kind === 'failover' && op.from === o) {
    return op.to === o
      ? { mode: 'keep', why: 'the failover chose it again: it holds what the others lack' }
      : { mode: 'hold', why: 'a failover from it is under way; it starts once the new primary is recorded' };
  }
  if (state.primary === null) return { mode: 'keep', why: 'no primary recorded yet' };
  if (state.primary !== o) return { mode: 'truncate', why: `primary ${state.primary} holds every commit this instance acknowledged` };
  if (i.crashedAsPrimary && !i.failoverBlocked) {
    return { mode: 'hold', why: 'the primary crashed; the HA loop decides between a failover and a restart' };
  }
  return { mode: 'keep', why: 'it is the recorded primary: its binary log may hold acknowledged commits nobody else has' };
}

/** mariadbd's extra arguments for a mode that lets it start. */
export function serverArgs(mode: Exclude<StartMode, 'hold'>): string[] {
  // A command-line option only: in my.cnf it would apply to every later start too.
  return mode === 'truncate' ? ['--init-rpl-role=SLAVE'] : [];
}
