import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Counter } from 'prom-client';
import { metricsRegistry, startHealthServer, syncedOrStandby } from '../../src/kube/health.js';

test('healthz, readyz that follows the caches and leadership, and metrics', async () => {
  let synced = false;
  let leading = true;
  const ready = syncedOrStandby([{ hasSynced: () => synced }], { isLeader: () => leading });
  const failovers = new Counter({ name: 'ordinal_failovers_total', help: 'Failovers carried out', registers: [metricsRegistry] });
  failovers.inc();
  const server = await startHealthServer({ port: 0, host: '127.0.0.1', ready });
  const get = async (path: string) => {
    const res = await fetch(`http://127.0.0.1:${server.port}${path}`);
    return { status: res.status, body: await res.text() };
  };
  try {
    assert.equal((await get('/healthz')).status, 200);
    assert.equal((await get('/readyz')).status, 503, 'a leader whose caches have not synced is not ready');
    leading = false;
    assert.equal((await get('/readyz')).status, 200, 'a standby is ready');
    leading = true;
    synced = true;
    assert.equal((await get('/readyz')).status, 200);
    const metrics = await get('/metrics');
    assert.equal(metrics.status, 200);
    assert.match(metrics.body, /^ordinal_failovers_total 1$/m);
    assert.match(metrics.body, /process_cpu_user_seconds_total/);
    assert.equal((await get('/nope')).status, 404);
  } finally {
    await server.close();
  }
});
