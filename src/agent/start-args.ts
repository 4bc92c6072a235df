// `agent start-args`: run by the mysql container before every mariadbd start. Prints the
// extra arguments for the mode the operator decided (clustering/start-mode.ts), asked of
// this pod's agent. Holds wait as long as the operator keeps saying hold. With no word at all
// the server starts keeping its tail (a Galera node never does): that never loses a commit (at
// worst the instance comes back errant and is rebuilt), while truncating is only safe on the
// operator's word.
import { serverArgs } from '../clustering/start-mode.js';
import { forgetSpentInitFile } from '../mariadb/init-file.js';
import type { AgentConfig } from './config.js';
import { askStartMode } from './peers.js';
import type { StartDecision } from './start-gate.js';
import { readCluster } from './init-config.js';

export interface StartArgsOptions {
  /** How long to wait without any word from the operator. */
  silenceMs: number;
  say: (line: string) => void;
}

export async function awaitStartArgs(cfg: AgentConfig, opts: StartArgsOptions): Promise<string[]> {
  if (forgetSpentInitFile(cfg.datadir, cfg.initFile)) opts.say(`${cfg.initFile} ran at an earlier start (the data shows it); emptied it`);
  // A Galera node never starts on silence: whether it bootstraps, joins or keeps its data
  // aside is the operator's recovery plan, and a wrong guess can split or lose the cluster.
  const silenceMs = isGalera(cfg) ? Infinity : opts.silenceMs;
  let deadline = Date.now() + silenceMs;
  let held: string | undefined;
  let unreachable: string | undefined;
  for (;;) {
    if (Date.now() > deadline) {
      opts.say(`no word from the operator within ${opts.silenceMs / 1000} s: starting with the binary log's tail kept`);
      return [];
    }
    let d: StartDecision | undefined;
    try {
      d = await askStartMode(`127.0.0.1:${cfg.agentPort}`);
      unreachable = undefined;
    } catch (err) {
      const msg = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
      if (msg !== unreachable) opts.say(`the agent does not answer yet (${msg}); retrying`);
      unreachable = msg;
      await new Promise((r) => setTimeout(r, 500));
      continue;
    }
    if (!d) continue;
    if (d.mode === 'hold') {
      if (d.why !== held) opts.say(`start held by the operator: ${d.why}`);
      held = d.why;
      deadline = Date.now() + silenceMs;
      continue;
    }
    opts.say(`starting mariadbd (${d.mode}${d.args?.length ? ` ${d.args.join(' ')}` : ''}): ${d.why}`);
    return [...serverArgs(d.mode), ...(d.args ?? [])];
  }
}

function isGalera(cfg: AgentConfig): boolean {
  try {
    return readCluster(cfg).spec.mode === 'galera';
  } catch {
    return false;
  }
}
