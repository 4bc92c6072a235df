import assert from 'node:assert/strict';
import { test } from 'node:test';
import { WorkQueue } from '../../src/kube/queue.js';

const tick = (ms: number) => new Promise((r) => setTimeout(r, ms));

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

/** A handler whose runs wait until released, recording what ran concurrently. */
function gatedHandler() {
  const running = new Map<string, number>();
  const runs: string[] = [];
  let maxSameKey = 0;
  let maxTotal = 0;
  let gate = deferred();
  return {
    runs,
    get maxSameKey() {
      return maxSameKey;
    },
    get maxTotal() {
      return maxTotal;
    },
    release() {
      gate.resolve();
      gate = deferred();
    },
    handler: async (key: string) => {
      runs.push(key);
      running.set(key, (running.get(key) ?? 0) + 1);
      maxSameKey = Math.max(maxSameKey, running.get(key)!);
      maxTotal = Math.max(maxTotal, [...running.values()].reduce((a, b) => a + b, 0));
      await gate.promise;
      running.set(key, running.get(key)! - 1);
    },
  };
}

test('a key queued twice runs once', async () => {
  const h = gatedHandler();
  const q = new WorkQueue(h.handler);
  q.add('ns/a');
  q.add('ns/a');
  q.add('ns/b');
  assert.equal(q.length, 2);
  q.start();
  h.release();
  await q.idle();
  assert.deepEqual(h.runs.sort(), ['ns/a', 'ns/b']);
  await q.stop();
});

test('one run per key at a time; a key added while running runs again after, keys run in parallel', async () => {
  const h = gatedHandler();
  const q = new WorkQueue(h.handler, { concurrency: 4 });
  q.start();
  q.add('ns/a');
  q.add('ns/b');
  await tick(10);
  q.add('ns/a'); // while ns/a runs: must wait, not overlap
  q.add('ns/a');
  await tick(10);
  assert.equal(h.maxTotal, 2, 'a and b ran side by side');
  h.release();
  await tick(10);
  h.release();
  await q.idle();
  assert.equal(h.maxSameKey, 1);
  assert.deepEqual(h.runs.filter((k) => k === 'ns/a').length, 2, 'the re-add collapsed into one more run');
  await q.stop();
});

test('concurrency bounds the number of keys in flight', async () => {
  const h = gatedHandler();
  const q = new WorkQueue(h.handler, { concurrency: 2 });
  q.start();
  for (const k of ['a', 'b', 'c', 'd']) q.add(k);
  await tick(10);
  assert.equal(h.runs.length, 2);
  h.release();
  await tick(10);
  h.release();
  await q.idle();
  assert.equal(h.maxTotal, 2);
  assert.equal(h.runs.length, 4);
  await q.stop();
});

test('a failing key is retried with growing delays, and forgotten after a success', async () => {
  const times: number[] = [];
  const delays: number[] = [];
  const q = new WorkQueue(
    async () => {
      times.push(Date.now());
      if (times.length < 4) throw new Error('temporary');
    },
    { backoff: { baseMs: 20, maxMs: 1_000 }, onError: (_k, _e, retryInMs) => delays.push(retryInMs) },
  );
  q.start();
  q.add('k');
  const deadline = Date.now() + 10_000;
  while (times.length < 4 && Date.now() < deadline) await tick(10);
  await q.idle();
  assert.equal(times.length, 4);
  assert.equal(delays.length, 3);
  assert.ok(delays[0] < delays[1] && delays[1] < delays[2], `delays grow: ${delays}`);
  for (let i = 1; i < times.length; i++) assert.ok(times[i] - times[i - 1] >= delays[i - 1] - 5, 'a retry never comes before its delay');
  assert.equal(q.retries('k'), 0);
  await q.stop();
});

test('enqueueAfter delays a key; the earliest pending time wins; requeueAfterMs asks again', async () => {
  const seen: string[] = [];
  let polls = 0;
  const q = new WorkQueue(async (key) => {
    seen.push(key);
    if (key === 'poll' && ++polls < 3) return { requeueAfterMs: 5 };
  });
  q.start();
  q.enqueueAfter('late', 200);
  q.enqueueAfter('late', 30); // earlier wins
  q.enqueueAfter('late', 500); // later loses
  q.add('poll');
  await tick(15);
  assert.ok(!seen.includes('late'), 'not before its time');
  const deadline = Date.now() + 10_000;
  while ((!seen.includes('late') || polls < 3) && Date.now() < deadline) await tick(5);
  assert.deepEqual(seen.filter((k) => k === 'late'), ['late']);
  assert.equal(polls, 3);
  await tick(600);
  assert.deepEqual(seen.filter((k) => k === 'late'), ['late'], 'the superseded timers never fire');
  await q.stop();
});

test('stop aborts the handlers signal, waits for them, and drops delayed keys', async () => {
  let sawAbort = false;
  const seen: string[] = [];
  const q = new WorkQueue(async (key, signal) => {
    seen.push(key);
    await new Promise<void>((r) => signal.addEventListener('abort', () => r(), { once: true }));
    sawAbort = signal.aborted;
  });
  q.start();
  q.add('long');
  q.enqueueAfter('later', 50);
  await tick(10);
  await q.stop();
  assert.equal(sawAbort, true);
  await tick(100);
  q.add('after-stop');
  assert.deepEqual(seen, ['long']);
});
