// The real HA loop and operations against the FAKE cluster (fake-cluster.ts): crashes at
// every recorded step, a crash of everything, a crash inside the anti-flapping hold, a
// quarantined replica. Invariants after each: every acknowledged commit is on the primary,
// never two writable servers, never a read-write route to a server that is not writable.
import { mock, test } from 'node:test';
import assert from 'node:assert/strict';
import { ClusterLoop } from '../../src/clustering/loop.js';
import { initialState, type ClusterState, type Policy } from '../../src/clustering/types.js';
import { formatGtids, type Gtid } from '../../src/db/gtid.js';
import { FakeCluster } from './fake-cluster.js';
import { policy, quiet } from './fixtures.js';

// A virtual clock for Date.now (ticks advance it); real timers are left alone.
mock.timers.enable({ apis: ['Date'], now: 1_000_000_000 });

class Driver {
  loop!: ClusterLoop;
  readonly acked: Gtid[] = [];
  readonly badRoutes: string[] = [];
  armed?: string;
  private died = false;

  constructor(readonly fake: FakeCluster, readonly pol: Policy) {
    this.restartLoop(initialState());
    fake.failoverBlocked = () => this.loop.failoverBlocked();
  }

  /** A new supervisor: it knows only what was saved. */
  restartLoop(state: ClusterState = structuredClone(this.fake.saved!)): void {
    this.fake.routes = { readWrite: null, readOnly: [] }; // a new supervisor's endpoints start empty
    this.loop = new ClusterLoop(this.fake, this.pol, state, quiet, {
      tickMs: 0,
      observeDeadlineMs: 100,
      db: this.fake.db,
      fault: (point) => {
        if (point === this.armed) {
          this.armed = undefined;
          this.died = true;
          throw new Error(`died at ${point}`);
        }
      },
    });
  }

  async tick(): Promise<void> {
    mock.timers.tick(250); // the sandbox's tick: backoffs and holds run on this clock
    this.fake.fleet(this.loop.state);
    this.fake.pump();
    await this.loop.tick();
    // A loop that died keeps nothing in memory: the next supervisor starts from what was saved.
    if (this.died) {
      this.died = false;
      this.restartLoop();
    }
    this.fake.pump();
    const rw = this.fake.routes.readWrite;
    // A route to a server that is down serves nothing; one to a read-only server serves reads
    // that may lack acknowledged commits.
    if (rw !== null && this.fake.server(rw).running && this.fake.server(rw).readOnly) this.badRoutes.push(`read-write routed to ${rw}, which answers read-only`);
  }

  async until(what: string, ok: () => boolean, ticks = 60): Promise<void> {
    for (let i = 0; i < ticks; i++) {
      await this.tick();
      if (ok()) return;
    }
    throw new Error(`not reached within ${ticks} ticks: ${what}; state ${JSON.stringify(this.loop.state)}; ${JSON.stringify(this.loop.summary())}`);
  }

  running(): Promise<void> {
    return this.until('every instance healthy', () => this.loop.summary()?.phase === 'Running');
  }

  write(n = 1): void {
    for (let i = 0; i < n; i++) {
      const g = this.fake.write();
      if (g) this.acked.push(g);
    }
  }

  /** Acknowledged commits missing from the recorded primary. */
  lost(): string {
    const p = this.fake.server(this.loop.state.primary!);
    return formatGtids(this.acked.filter((g) => !p.binlog.some((x) => x.server === g.server && x.seq === g.seq)));
  }
}

/** How stopped servers learn their start mode: the sandbox's fleet asks, pods are offered one. */
const STARTS = ['fleet', 'offers'] as const;
type StartsBy = (typeof STARTS)[number];

async function healthyCluster(pol: Partial<Policy> = {}, startsBy: StartsBy = 'fleet'): Promise<Driver> {
  const d = new Driver(new FakeCluster(3, startsBy), policy({ minFailoverIntervalMs: 0, ...pol }));
  await d.running();
  d.write(20);
  d.fake.pump();
  return d;
}

/** The primary writes one commit no replica receives (never acknowledged), then crashes. */
function crashWithUnacknowledgedTail(d: Driver): void {
  const p = d.loop.state.primary!;
  const replicas = d.fake.servers.filter((s) => s.ordinal !== p);
  replicas.forEach((s) => (s.io = false));
  assert.equal(d.fake.write(), undefined, 'nobody received it: not acknowledged');
  replicas.forEach((s) => (s.io = true));
  d.fake.crash(p);
}

test('failover: the supervisor dies at every recorded step; one failover, nothing lost, the old primary rejoins', async (t) => {
  for (const startsBy of STARTS) for (const point of ['failover:started', 'failover:fenced', 'failover:chosen', 'failover:caught-up', 'failover:recorded', 'failover:promoted']) {
    await t.test(`${startsBy}: ${point}`, async () => {
      const d = await healthyCluster({}, startsBy);
      crashWithUnacknowledgedTail(d);
      d.armed = point;
      await d.until('a new primary, every instance healthy', () => d.loop.state.primary !== 0 && d.loop.summary()?.phase === 'Running');
      assert.equal(d.armed, undefined, `the loop died at ${point}`);
      assert.equal(d.loop.state.failovers, 1, 'exactly one failover');
      assert.equal(d.lost(), '', 'no acknowledged commit lost');
      assert.deepEqual(d.loop.state.quarantined, {}, 'the old primary rolled its unacknowledged tail back and rejoined');
      assert.deepEqual(d.fake.violations, [], 'never two writable');
      assert.deepEqual(d.badRoutes, []);
    });
  }
});

test('switchover: the supervisor dies at every recorded step; it finishes, nothing lost', async (t) => {
  for (const point of ['switchover:read-only', 'switchover:recorded']) {
    await t.test(point, async () => {
      const d = await healthyCluster();
      const first = d.loop;
      const done = d.loop.switchover(2, 60_000);
      done.catch(() => {}); // a loop that died never answers
      d.armed = point;
      await d.until('instance 2 primary, every instance healthy', () => d.loop.state.primary === 2 && d.loop.summary()?.phase === 'Running');
      assert.notEqual(d.loop, first, `the loop died at ${point}`);
      d.write(5);
      assert.equal(d.lost(), '');
      assert.equal(d.loop.state.switchovers, 1);
      assert.deepEqual(d.fake.violations, []);
    });
  }
});

test('a crash of everything keeps commits acknowledged only by a relay log', async (t) => {
  const modes = [['start-mode.ts', 'fleet'], ['start-mode.ts', 'offers'], ['truncate everywhere (the old rule)', 'fleet']] as const;
  for (const [mode, startsBy] of modes) {
    await t.test(`${mode}, ${startsBy}`, async () => {
      const d = await healthyCluster({}, startsBy);
      // Replica 2 lags; the last commit is acknowledged by replica 1's relay log alone and is
      // prepared, not committed, in the primary's InnoDB.
      d.fake.server(2).io = false;
      d.write(1);
      assert.equal(d.acked.length, 21);
      for (const s of d.fake.servers) {
        s.running = false;
        s.crashedAsPrimary = false; // the supervisor died too: nobody saw who crashed first
      }
      if (mode !== 'start-mode.ts') for (const s of d.fake.servers) d.fake.start(s.ordinal, true);
      d.restartLoop();
      await d.running();
      if (mode === 'start-mode.ts') {
        assert.equal(d.lost(), '', 'no acknowledged commit lost');
        assert.equal(d.loop.state.recoveries + d.loop.state.failovers, 1, 'the recovery is counted');
        assert.ok(d.fake.events.some((e) => e.reason === 'PrimaryRecovered' || e.reason === 'FailedOver'), 'and reported');
      } else {
        assert.notEqual(d.lost(), '', 'truncating every tail loses the commit (the test can fail)');
      }
      assert.deepEqual(d.badRoutes, [], 'no read-write route before a writable primary holds everything');
    });
  }
});

test('a new primary crashing inside the anti-flapping hold restarts in place and takes over again', async (t) => {
  for (const startsBy of STARTS) await t.test(startsBy, () => flapInsideHold(startsBy));
});

async function flapInsideHold(startsBy: StartsBy): Promise<void> {
  const d = await healthyCluster({ minFailoverIntervalMs: 60_000 }, startsBy);
  crashWithUnacknowledgedTail(d);
  await d.until('a new primary recorded', () => d.loop.state.primary !== 0 && !d.loop.state.operation);
  const second = d.loop.state.primary!;
  d.write(3);
  d.fake.crash(second); // before the cluster recovered: a flap
  await d.running();
  assert.equal(d.loop.state.primary, second, 'the crashed new primary is primary again');
  assert.equal(d.loop.state.failovers, 1);
  assert.equal(d.loop.state.recoveries, 1);
  assert.equal(d.lost(), '');
  assert.deepEqual(d.badRoutes, [], 'never routed read-write while read-only');
  assert.deepEqual(d.fake.violations, []);

  // Recovered now: a second, independent failure fails over at once.
  d.fake.crash(second);
  await d.until('another primary', () => d.loop.state.primary !== second && d.loop.summary()?.phase === 'Running');
  assert.equal(d.loop.state.failovers, 2);
  assert.equal(d.lost(), '');
}

test('a quarantined replica stops receiving, so it can acknowledge nothing', async () => {
  const d = await healthyCluster();
  const errant = d.fake.server(2);
  errant.binlog.push({ domain: 0, server: 3, seq: 1000 });
  await d.until('instance 2 quarantined', () => !!d.loop.state.quarantined[2]);
  assert.equal(errant.io, false, 'its receiver is stopped');
  d.fake.server(1).frozen = true;
  assert.equal(d.fake.write(), undefined, 'with the healthy replica frozen, no commit is acknowledged');
});

test('a lost record on kept data: the instance holding the most becomes primary, not instance 0', async () => {
  const d = await healthyCluster();
  d.loop.switchover(2, 60_000).catch(() => {});
  await d.until('instance 2 primary', () => d.loop.state.primary === 2 && d.loop.summary()?.phase === 'Running');
  d.fake.server(0).io = false;
  d.write(3); // acknowledged by instance 1 only: instance 0 lags
  d.restartLoop({ ...initialState() }); // the state file is gone
  await d.running();
  assert.equal(d.loop.state.primary, 2, 'the writable instance holding the most stays primary');
  assert.equal(d.lost(), '');
  assert.deepEqual(d.fake.violations, []);
});

test('a lost record after a crash of everything: the most advanced, not instance 0', async (t) => {
  for (const startsBy of STARTS) await t.test(startsBy, () => lostRecordAfterCrash(startsBy));
});

async function lostRecordAfterCrash(startsBy: StartsBy): Promise<void> {
  const d = await healthyCluster({}, startsBy);
  d.fake.server(2).io = false;
  d.write(3); // instance 1 acknowledges and applies them; 2 lags
  d.fake.pump();
  d.fake.server(0).binlog.splice(-3); // and instance 0 lost them: say it was restored from an old copy
  for (const s of d.fake.servers) s.running = false;
  d.restartLoop({ ...initialState() });
  await d.running();
  assert.equal(d.loop.state.primary, 1);
  assert.equal(d.lost(), '');
}

test('a replica that acknowledged alone and went down with the primary: no failover without it', async (t) => {
  for (const startsBy of STARTS) await t.test(startsBy, () => downWithThePrimary(startsBy));
});

async function downWithThePrimary(startsBy: StartsBy): Promise<void> {
  const d = await healthyCluster({}, startsBy);
  d.fake.server(1).io = false;
  d.write(2); // acknowledged by instance 2 alone
  d.fake.server(1).io = true;
  const two = d.fake.server(2);
  d.fake.crash(2);
  two.stuck = true;
  d.fake.crash(0); // in the same moment
  for (let i = 0; i < 40; i++) await d.tick();
  assert.equal(d.loop.state.failovers, 0, 'instance 1 lacks what 2 acknowledged: no failover to it');
  assert.match(d.loop.summary()?.message ?? '', /instance\(s\) 2 are down and may hold acknowledged commits/);
  two.stuck = false;
  await d.running();
  assert.equal(d.lost(), '', 'nothing acknowledged lost');
  assert.deepEqual(d.fake.violations, []);
}

test('a replica that went down before the primary is bounded by what the primary wrote after it', async () => {
  const d = await healthyCluster();
  const two = d.fake.server(2);
  d.fake.crash(2);
  two.stuck = true;
  for (let i = 0; i < 4; i++) await d.tick();
  d.write(3); // acknowledged by instance 1: 2 cannot hold these
  d.fake.crash(0);
  await d.until('a failover to instance 1 without waiting for 2', () => d.loop.state.primary === 1 && !d.loop.state.operation);
  assert.equal(d.lost(), '');
});

test('an operator that lost its Lease in the middle of a failover takes no further step; the next leader keeps the recorded target', async () => {
  const d = await healthyCluster();
  let leading = true;
  const acts: string[] = [];
  const acting = new Set(['route', 'restart', 'rebuild', 'saveState', 'event', 'offerStart']);
  // The stalled leader's platform and instances, counting whatever reaches them once it lost the Lease.
  const platform = new Proxy(d.fake, {
    get(target, key) {
      const value = Reflect.get(target, key) as unknown;
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        if (!leading && acting.has(String(key))) acts.push(String(key));
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  const stale = new ClusterLoop(platform, d.pol, structuredClone(d.fake.saved!), quiet, {
    tickMs: 0,
    observeDeadlineMs: 100,
    db: (endpoint, opts) => {
      if (!leading) acts.push('db');
      return d.fake.db(endpoint, opts);
    },
    mayAct: () => leading,
    // Stalled here (SIGSTOP) past its renew deadline: when it runs again it no longer leads.
    fault: (point) => {
      if (point === 'failover:chosen') leading = false;
    },
  });
  crashWithUnacknowledgedTail(d);
  for (let i = 0; i < 40 && leading; i++) {
    mock.timers.tick(250);
    d.fake.fleet(stale.state);
    d.fake.pump();
    await stale.tick();
  }
  assert.equal(leading, false, 'the failover reached the chosen step');
  const chosen = d.fake.saved!.operation;
  assert.ok(chosen?.kind === 'failover' && chosen.to !== undefined, 'the target was recorded');
  for (let i = 0; i < 3; i++) await stale.tick(); // it resumes, more than once
  assert.deepEqual(acts, [], 'not one act after the Lease was lost');

  d.restartLoop(); // the standby, from what was saved
  await d.until('the failover finished', () => !d.loop.state.operation && d.loop.summary()?.phase === 'Running');
  assert.equal(d.loop.state.primary, chosen.to, 'the recorded target is kept');
  assert.equal(d.loop.state.failovers, 1, 'exactly one failover');
  assert.equal(d.lost(), '');
  assert.deepEqual(d.fake.violations, []);
});

test('wake() runs a tick at once instead of at the next interval', { timeout: 60_000 }, async () => {
  const d = await healthyCluster();
  let ticks = 0;
  const loop = new ClusterLoop(d.fake, d.pol, structuredClone(d.fake.saved!), quiet, {
    tickMs: 3_600_000, // without a wake, the second tick is an hour away
    observeDeadlineMs: 100,
    db: d.fake.db,
    onTick: () => void (ticks += 1),
  });
  const ticked = async (n: number) => {
    for (let i = 0; i < 1000 && ticks < n; i++) await new Promise((r) => setTimeout(r, 10));
    return ticks;
  };
  loop.start();
  try {
    assert.equal(await ticked(1), 1);
    loop.wake();
    assert.equal(await ticked(2), 2, 'the wake ran a second tick');
  } finally {
    await loop.stop(); // also ends the hour's wait
  }
});

test('a wake during an observation looks again at once instead of waiting out a hung connect', { timeout: 60_000 }, async () => {
  const d = await healthyCluster();
  const hanging = (await d.fake.targets())[0].endpoint;
  let hangs = 1;
  let ticks = 0;
  const loop = new ClusterLoop(d.fake, d.pol, structuredClone(d.fake.saved!), quiet, {
    tickMs: 3_600_000,
    observeDeadlineMs: 3_600_000,
    // The first observation's connect to one instance never answers (a deleted pod's IP).
    db: (endpoint, opts) => {
      const db = d.fake.db(endpoint, opts);
      if (hangs > 0 && endpoint.port === hanging.port) {
        hangs -= 1;
        return { ...db, status: () => new Promise(() => {}) };
      }
      return db;
    },
    onTick: () => void (ticks += 1),
  });
  loop.start();
  try {
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(ticks, 0, 'the first observation hangs');
    loop.wake();
    for (let i = 0; i < 1000 && ticks < 1; i++) await new Promise((r) => setTimeout(r, 10));
    assert.equal(ticks, 1, 'the tick ended with a second observation');
    assert.equal(loop.summary()?.instances.find((i) => i.ordinal === 0)?.reachable, true);
  } finally {
    await loop.stop();
  }
});
