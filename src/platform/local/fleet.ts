// The sandbox's StatefulSet: keeps instances 0..replicas-1 running with stable data dirs,
// ports and server-ids. A missing data dir is initialized (the very first primary) or
// cloned from a donor (everyone else); a crashed server is restarted in place; on scale
// down the highest ordinals go, never the primary.
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, unlinkSync } from 'node:fs';
import type { ClusterSpec } from '../../api/cluster.js';
import type { PeerData } from '../../clustering/bootstrap.js';
import type { ClusterState } from '../../clustering/types.js';
import { cloneInitSql, cloneInto, streamBackup } from '../../mariadb/backup-tools.js';
import { forgetSpentInitFile } from '../../mariadb/init-file.js';
import { bootstrapSql } from '../../db/accounts.js';
import { withSession } from '../../db/connection.js';
import { rollBackPrepared } from '../../mariadb/datadir.js';
import { binlogGtidPos } from '../../db/dialect.js';
import { writeAtomic } from './files.js';
import { hasData, initializeDatadir, recordedPid, serversWith, sleep, startMariadbd, stopProcess, writeInstanceConfig } from './mariadbd.js';
import { instanceOrdinals, type ClusterPaths } from './paths.js';
import { instancePort, portListening, type Ports } from './ports.js';
import type { ClusterSecrets } from './secrets.js';
import type { Logger } from '../../clustering/operations.js';

interface Slot {
  /** The server last seen running (started here or adopted), until its exit is handled. */
  running?: number;
  /** The one of those this fleet started: its exit handler does the bookkeeping. */
  child?: number;
  /** What provisioning is doing now, e.g. "cloning from 0"; undefined when not provisioning. */
  provisioning?: string;
  cloneBytes?: number;
  crashes: number;
  nextStartAt: number;
  startedAt?: number;
  removing?: boolean;
  /** Its server exited on its own while it was the recorded primary (see start-mode.ts). */
  crashedAsPrimary?: boolean;
  /** Why its start is held back, once logged. */
  held?: string;
  /** The pid last seen listening on the port: until then a running server is in crash recovery. */
  listening?: number;
}

/** How a server may start now: with these extra mariadbd arguments, or not yet. */
export type StartDecision = { args: string[]; why: string } | { hold: string };

/** What to do about an instance without data. */
export type MissingData = 'initialize' | 'clone' | 'start-empty';

export interface FleetHooks {
  /** A replica that can serve a clone now, or the primary; undefined if none. */
  donor(): number | undefined;
  /** Initialize it (the cluster's very first), clone it, or start it empty (a Galera joiner gets its copy by SST). */
  missingData(ordinal: number, peers: PeerData[]): MissingData;
  /** How the server may start now (primary-replica: keep its binary log's tail, truncate it, or wait). */
  startArgs(ordinal: number, crashedAsPrimary: boolean): StartDecision;
  /** The primary must go (scale down): switch over first. */
  movePrimaryAway(): Promise<void>;
  event(type: 'Normal' | 'Warning', reason: string, message: string): void;
}

export class Fleet {
  private slots = new Map<number, Slot>();
  private stopped = false;
  private running?: Promise<void>;

  constructor(
    private readonly paths: ClusterPaths,
    private spec: ClusterSpec,
    private readonly ports: Ports,
    private readonly secrets: ClusterSecrets,
    private readonly state: ClusterState,
    private readonly hooks: FleetHooks,
    private readonly log: Logger,
  ) {}

  setSpec(spec: ClusterSpec): void {
    this.spec = spec;
  }

  start(): void {
    this.running ??= (async () => {
      while (!this.stopped) {
        try {
          await this.reconcile();
        } catch (err) {
          this.log.error({ err: (err as Error).message }, 'fleet reconcile failed');
        }
        await sleep(250);
      }
    })();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.running;
  }

  slot(ordinal: number): Slot {
    let s = this.slots.get(ordinal);
    if (!s) this.slots.set(ordinal, (s = { crashes: 0, nextStartAt: 0 }));
    return s;
  }

  /** Ordinals that exist: the desired ones and any leftovers still being removed. */
  ordinals(): number[] {
    const set = new Set<number>(Array.from({ length: this.spec.replicas }, (_, i) => i));
    for (const o of instanceOrdinals(this.paths)) set.add(o);
    return [...set].sort((a, b) => a - b);
  }

  pid(ordinal: number): number | undefined {
    const recorded = recordedPid(this.paths, ordinal);
    // While provisioning, a server on its files is the clone's own roll-back run, not the instance.
    if (recorded || this.slot(ordinal).provisioning) return recorded;
    const pid = serversWith(this.paths.config(ordinal))[0];
    if (pid) {
      // Running without a record (a supervisor killed between spawn and write, an older
      // layout): adopt it, so that nobody starts a second server on its data.
      writeAtomic(this.paths.serverPid(ordinal), `${pid}\n`);
      this.log.warn({ ordinal, pid }, 'adopted a running server that had no pid record');
    }
    return pid;
  }

  /** Its server (`pid`, from pid()) runs but has not listened yet: crash recovery, not a crash. */
  starting(ordinal: number, pid: number | undefined): boolean {
    return pid !== undefined && this.slot(ordinal).listening !== pid;
  }

  port(ordinal: number): number {
    return instancePort(this.ports, ordinal);
  }

  hasData(ordinal: number): boolean {
    return hasData(this.paths, ordinal);
  }

  provisioning(ordinal: number): { what: string; bytes?: number } | undefined {
    const s = this.slot(ordinal);
    if (s.provisioning) return { what: s.provisioning, bytes: s.cloneBytes };
    if (!hasData(this.paths, ordinal)) return { what: 'waiting to be provisioned' };
    return undefined;
  }

  async reconcile(): Promise<void> {
    const desired = this.spec.replicas;
    for (let o = 0; o < desired; o++) await this.ensure(o);
    const extra = instanceOrdinals(this.paths).filter((o) => o >= desired).sort((a, b) => b - a);
    if (extra.length > 0) await this.remove(extra[0]);
  }

  private async ensure(o: number): Promise<void> {
    const s = this.slot(o);
    if (s.provisioning || s.removing) return;
    writeInstanceConfig(this.paths, this.spec, this.ports, o, this.secrets.sst);
    const pid = this.pid(o);
    if (pid) {
      s.running = pid;
      if (s.listening !== pid && (await portListening(this.port(o)))) s.listening = pid;
      await this.forgetInitFileOnceRun(o);
      return;
    }
    if (s.child !== undefined) return; // it exited; the exit handler runs first
    // An adopted server gone on its own crashed just the same (a primary must not come back
    // keeping its tail while a failover from it can run).
    if (s.running !== undefined) this.exited(o, s.running, null);
    if (Date.now() < s.nextStartAt) return;
    if (!hasData(this.paths, o)) {
      const peers = this.ordinals().filter((x) => x !== o).map((x): PeerData => ({ peer: String(x), data: hasData(this.paths, x) ? 'some' : 'none' }));
      const missing = this.hooks.missingData(o, peers);
      if (missing !== 'start-empty') {
        void this.provision(o, missing === 'initialize');
        return;
      }
      mkdirSync(this.paths.instance(o).datadir, { recursive: true });
    }
    this.startIfAllowed(o);
  }

  private startIfAllowed(o: number): void {
    const s = this.slot(o);
    const start = this.hooks.startArgs(o, s.crashedAsPrimary === true);
    if ('hold' in start) {
      if (s.held !== start.hold) this.log.warn({ ordinal: o, why: start.hold }, 'start held back');
      s.held = start.hold;
      return;
    }
    s.held = undefined;
    s.crashedAsPrimary = false;
    this.launch(o, start.args, start.why);
  }

  /** Why its start is held back now, if it is. */
  heldBecause(o: number): string | undefined {
    return this.slot(o).held;
  }

  private launch(o: number, args: string[] = [], why = 'new data'): void {
    const s = this.slot(o);
    const init = this.paths.initFile(o);
    // Removed once the server answered; if it crashed before that, the data tells.
    if (forgetSpentInitFile(this.paths.instance(o).datadir, init)) this.log.info({ ordinal: o }, 'the init file ran at an earlier start; emptied it');
    copyFileSync(this.paths.config(o), this.paths.startedConfig(o));
    const started = startMariadbd(this.paths, o, { initFile: existsSync(init) ? init : undefined, args });
    s.child = s.running = started.pid;
    s.startedAt = Date.now();
    this.log.info({ ordinal: o, pid: started.pid, args, why }, 'mariadbd started');
    void started.exited.then((code) => this.exited(o, started.pid, code));
  }

  /** Its server `pid` exited (once per pid): remember a crashed primary, back off restarts. */
  private exited(o: number, pid: number, code: number | null): void {
    const s = this.slot(o);
    if (s.child === pid) s.child = undefined;
    if (s.running !== pid) return;
    s.running = undefined;
    if (this.stopped || s.removing) return;
    s.crashedAsPrimary = this.state.primary === o;
    // Restart at once the first time, then back off, like a kubelet's CrashLoopBackOff.
    const upFor = Date.now() - (s.startedAt ?? 0);
    s.crashes = upFor > 60_000 ? 1 : s.crashes + 1;
    s.nextStartAt = Date.now() + Math.min(10_000, (s.crashes - 1) * 1000);
    this.log.warn({ ordinal: o, code }, 'mariadbd exited; restarting');
    this.hooks.event('Warning', 'InstanceRestarted', `mariadbd of instance ${o} exited (code ${code}); restarting it`);
  }

  /**
   * An init file runs at most once (a clone's RESET MASTER must never run again), and is
   * kept until there is proof it ran: mariadbd listens before it reads the file, but
   * answers SQL only after every statement in it succeeded (a failure ends the process).
   */
  private async forgetInitFileOnceRun(o: number): Promise<void> {
    const init = this.paths.initFile(o);
    if (!existsSync(init)) return;
    const answered = await withSession({ host: '127.0.0.1', port: this.port(o) }, this.secrets.operator, (q) => q.value('SELECT 1'), { deadlineMs: 1000, connectTimeoutMs: 1000 })
      .then(() => true, () => false);
    if (!answered) return;
    try {
      unlinkSync(init);
      this.log.info({ ordinal: o }, 'the server ran its init file; removed it');
    } catch {
      /* already gone */
    }
  }

  private async provision(o: number, fresh: boolean): Promise<void> {
    const s = this.slot(o);
    try {
      if (fresh) {
        s.provisioning = 'initializing';
        this.hooks.event('Normal', 'Initializing', `initializing instance ${o} as the first primary`);
        writeAtomic(this.paths.initFile(o), bootstrapSql({ ...this.secrets, sst: this.spec.mode === 'galera' ? this.secrets.sst : undefined }), 0o600);
        await initializeDatadir(this.paths, o);
        s.provisioning = undefined;
        this.startIfAllowed(o);
        return;
      } else {
        const donor = this.hooks.donor();
        if (donor === undefined) {
          s.provisioning = undefined;
          return; // retried on the next reconcile
        }
        s.provisioning = `cloning from ${donor}`;
        s.cloneBytes = 0;
        this.hooks.event('Normal', 'Cloning', `cloning instance ${o} from instance ${donor}`);
        const donorEndpoint = { host: '127.0.0.1', port: this.port(donor) };
        const source = { ...donorEndpoint, datadir: this.paths.instance(donor).datadir, optionFile: this.secrets.clientOptionFile };
        const result = await cloneInto(
          this.paths.instance(o).datadir,
          (staging) => streamBackup(source, staging, (bytes) => (s.cloneBytes = bytes)),
          {
            binlogState: async () => String(await withSession(donorEndpoint, this.secrets.operator, (q) => q.value('SELECT @@gtid_binlog_state'))),
            gtidAt: (file, pos) => withSession(donorEndpoint, this.secrets.operator, (q) => binlogGtidPos(q, file, pos)),
          },
          // First start only: resume replication exactly where the copy ends.
          (r) => writeAtomic(this.paths.initFile(o), cloneInitSql(r), 0o600),
        );
        await rollBackPrepared(this.paths.config(o), this.paths.instanceDir(o));
        this.hooks.event('Normal', 'Cloned', `instance ${o} cloned from ${donor}: ${(result.bytes / 1e6).toFixed(1)} MB in ${result.seconds.toFixed(1)} s at GTID ${result.gtid || '(empty)'}`);
      }
      s.provisioning = undefined;
      this.launch(o);
    } catch (err) {
      s.provisioning = undefined;
      s.nextStartAt = Date.now() + 2000;
      this.log.error({ ordinal: o, err: (err as Error).message }, 'provisioning failed; will retry');
      this.hooks.event('Warning', 'ProvisioningFailed', `instance ${o}: ${(err as Error).message}`);
    }
  }

  private async remove(o: number): Promise<void> {
    if (o === this.state.primary) {
      await this.hooks.movePrimaryAway();
      return;
    }
    const s = this.slot(o);
    if (s.provisioning) return;
    s.removing = true;
    this.hooks.event('Normal', 'ScaledDown', `removing instance ${o}`);
    await this.stopServers(o);
    rmSync(this.paths.instanceDir(o), { recursive: true, force: true });
    delete this.state.quarantined[o];
    this.slots.delete(o);
  }

  /** Kill the server (it restarts read-only at once): the fence of last resort. */
  async restart(o: number): Promise<void> {
    const pid = this.pid(o);
    if (pid) {
      this.slot(o).nextStartAt = 0;
      process.kill(pid, 'SIGKILL');
    }
  }

  /** Throw the data away and clone again; resolves when the new copy is running. */
  async rebuild(o: number): Promise<void> {
    const s = this.slot(o);
    s.removing = true;
    await this.stopServers(o);
    rmSync(this.paths.instance(o).datadir, { recursive: true, force: true });
    s.removing = false;
    s.nextStartAt = 0;
    const deadline = Date.now() + 600_000;
    while (!(this.pid(o) && !s.provisioning && (await portListening(this.port(o))))) {
      if (Date.now() > deadline) throw new Error(`instance ${o} was not rebuilt within 10 minutes`);
      await sleep(250);
    }
  }

  /**
   * Its server runs with settings other than its my.cnf's now. `ignore` names settings that
   * matter only at a start (Galera's peer list) and so call for no restart of their own.
   */
  configChanged(o: number, ignore: RegExp): boolean {
    if (!this.pid(o)) return false;
    try {
      const strip = (f: string) => readFileSync(f, 'utf8').split('\n').filter((l) => !ignore.test(l)).join('\n');
      return strip(this.paths.config(o)) !== strip(this.paths.startedConfig(o));
    } catch {
      return false; // started before this record existed: nothing to compare with
    }
  }

  /** Stop its server cleanly (SIGTERM) and start it again with its current my.cnf; not a crash. */
  async restartClean(o: number): Promise<void> {
    const s = this.slot(o);
    s.removing = true;
    await this.stopServers(o);
    s.removing = false;
    s.nextStartAt = 0;
  }

  /** Stop every server: replicas first, the primary last (down). */
  async stopAll(): Promise<void> {
    const order = this.ordinals().sort((a, b) => Number(a === this.state.primary) - Number(b === this.state.primary) || b - a);
    for (const o of order) {
      this.slot(o).removing = true;
      await this.stopServers(o);
    }
  }

  /** Stop every server running on the instance's files, and let their exits be handled. */
  private async stopServers(o: number): Promise<void> {
    for (const pid of serversWith(this.paths.config(o))) await stopProcess(pid);
    const s = this.slot(o);
    const deadline = Date.now() + 5000;
    while (s.child !== undefined && Date.now() < deadline) await sleep(20);
    s.running = undefined; // stopped on purpose: not a crash
  }
}
