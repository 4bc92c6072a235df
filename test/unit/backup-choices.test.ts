// The backup layer's pure decisions: locations, which backup a restore starts from, which
// instance a backup is taken from, and the GTID positions the tools print.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeLocation, parseLocation, type Location } from '../../src/backup/location.js';
import { backupId, chooseBackup, parseManifest, type Manifest } from '../../src/backup/manifest.js';
import { chooseBackupSource, type BackupTarget } from '../../src/backup/source.js';
import { gtidOfInfo } from '../../src/backup/physical.js';
import { gtidOfDump } from '../../src/backup/logical.js';
import type { InstanceSummary } from '../../src/clustering/summary.js';

test('parseLocation', async (t) => {
  const ok: Array<[string, { endpoint?: string }, Location]> = [
    ['file:///var/backups', {}, { kind: 'file', dir: '/var/backups' }],
    ['file:///var/backups/', {}, { kind: 'file', dir: '/var/backups' }],
    ['s3://my-bucket', {}, { kind: 's3', bucket: 'my-bucket', prefix: '', endpoint: undefined, region: 'us-east-1', forcePathStyle: false }],
    ['s3://my-bucket/prod/db/', { endpoint: 'http://127.0.0.1:9000' }, { kind: 's3', bucket: 'my-bucket', prefix: 'prod/db', endpoint: 'http://127.0.0.1:9000', region: 'us-east-1', forcePathStyle: true }],
  ];
  for (const [text, s3, want] of ok) await t.test(text, () => assert.deepEqual(parseLocation(text, '--to', s3), want));
  const bad: Array<[string, { endpoint?: string }, RegExp]> = [
    ['/var/backups', {}, /--to: .*not a location; give file:\/\/\/absolute\/dir or s3:\/\/bucket\/prefix/],
    ['file://relative/dir', {}, /--to: .*absolute folder/],
    ['file:///a/../b', {}, /--to: .*"\.\." segments/],
    ['s3://B', {}, /--to: "B" is not an S3 bucket name/],
    ['s3://bucket/../x', {}, /--to: the prefix segment "\.\."/],
    ['s3://bucket/x', { endpoint: 'ftp://host' }, /S3 endpoint "ftp:\/\/host" must be an http/],
  ];
  for (const [text, s3, want] of bad) await t.test(`refused: ${text}`, () => assert.throws(() => parseLocation(text, '--to', s3), want));
  await t.test('described without credentials', () => {
    const loc: Location = { kind: 's3', bucket: 'bkt', prefix: 'p', region: 'x', forcePathStyle: true, endpoint: 'http://h:1', credentials: { accessKeyId: 'AKIA', secretAccessKey: 'SECRET' } };
    assert.equal(describeLocation(loc), 's3://bkt/p at http://h:1');
  });
});

const manifest = (cluster: string, id: string, endTime: string): Manifest => ({
  format: 1, id, cluster, method: 'physical', compression: 'zstd', serverVersion: '10.11', source: { instance: 1, role: 'replica' },
  startTime: endTime, endTime, gtid: '0-1-5', files: [{ name: 'data.xbstream.zst', bytes: 1, sha256: 'x' }],
});

test('chooseBackup', async (t) => {
  const a = manifest('demo', '20260101T000000Z', '2026-01-01T00:00:10Z');
  const b = manifest('demo', '20260102T000000Z', '2026-01-02T00:00:10Z');
  const other = manifest('prod', '20260102T000000Z', '2026-01-02T00:00:20Z');
  const logical: Manifest = { ...manifest('demo', '20260103T000000Z', '2026-01-03T00:00:30Z'), method: 'logical', startTime: '2026-01-03T00:00:00Z' };
  const later: Manifest = { ...manifest('demo', '20260104T000000Z', '2026-01-04T00:00:10Z'), gtid: '0-1-9' };
  const cases: Array<{ name: string; list: Manifest[]; want: { id?: string; before?: Date; upToSeq?: number }; pick?: Manifest; reason?: RegExp }> = [
    { name: 'the newest', list: [b, a], want: {}, pick: b },
    { name: 'by id', list: [a, b], want: { id: a.id }, pick: a },
    { name: 'by cluster/id', list: [b, other], want: { id: 'prod/20260102T000000Z' }, pick: other },
    { name: 'an id two clusters share', list: [b, other], want: { id: '20260102T000000Z' }, reason: /2 clusters have a backup .*CLUSTER\// },
    { name: 'an unknown id lists what there is', list: [a], want: { id: 'nope' }, reason: /no backup nope; there are: demo\/20260101T000000Z/ },
    { name: 'the newest ended before a time', list: [a, b], want: { before: new Date('2026-01-01T12:00:00Z') }, pick: a },
    { name: 'a physical backup that ended after the time is not taken', list: [b], want: { before: new Date('2026-01-02T00:00:05Z') }, reason: /no backup is consistent at or before .* the oldest is consistent at 2026-01-02T00:00:10.000Z/ },
    { name: 'a logical backup is consistent at its start', list: [a, logical], want: { before: new Date('2026-01-03T00:00:05Z') }, pick: logical },
    { name: 'the newest at or before a transaction', list: [a, b, later], want: { upToSeq: 7 }, pick: b },
    { name: 'every backup past the transaction', list: [later], want: { upToSeq: 7 }, reason: /every backup is past transaction 7; the oldest holds up to 0-1-9/ },
    { name: 'several clusters without a name', list: [b, other], want: {}, reason: /several clusters are here \(demo, prod\)/ },
    { name: 'nothing', list: [], want: {}, reason: /no backups/ },
  ];
  for (const c of cases) {
    await t.test(c.name, () => {
      const got = chooseBackup(c.list, c.want);
      if (c.pick) assert.deepEqual(got, { ok: true, manifest: c.pick });
      else assert.ok(!got.ok && c.reason!.test(got.reason), JSON.stringify(got));
    });
  }
});

test('parseManifest refuses what is not a manifest', async (t) => {
  const good = JSON.stringify(manifest('demo', 'x', '2026-01-01T00:00:00Z'));
  assert.equal(parseManifest(good, 'k').cluster, 'demo');
  const cases: Array<[string, RegExp]> = [
    ['{', /k: not JSON/],
    [JSON.stringify({ ...JSON.parse(good), format: 2 }), /format 2 is not one this version reads/],
    [JSON.stringify({ ...JSON.parse(good), method: 'snapshot' }), /method "snapshot" is unknown/],
    [JSON.stringify({ ...JSON.parse(good), files: [] }), /files is empty/],
    [JSON.stringify({ ...JSON.parse(good), endTime: undefined }), /endTime is missing/],
  ];
  for (const [text, want] of cases) await t.test(String(want), () => assert.throws(() => parseManifest(text, 'k'), want));
});

test('backupId is the start time to the second, UTC', () => {
  assert.equal(backupId(new Date('2026-11-30T20:57:13.456Z')), '20261130T205713Z');
});

const inst = (ordinal: number, role: InstanceSummary['role'], extra: Partial<InstanceSummary> = {}): InstanceSummary => ({
  ordinal, role, ready: true, readOnly: role !== 'primary', errant: false, reachable: true, lagSeconds: 0, ...extra,
});

test('chooseBackupSource', async (t) => {
  const cases: Array<{ name: string; list: InstanceSummary[]; target: BackupTarget; want: number | RegExp }> = [
    { name: 'a replica by default', list: [inst(0, 'primary'), inst(1, 'replica'), inst(2, 'replica')], target: 'replica', want: 1 },
    { name: 'the least lagging replica', list: [inst(0, 'primary'), inst(1, 'replica', { lagSeconds: 9 }), inst(2, 'replica', { lagSeconds: 1 })], target: 'replica', want: 2 },
    { name: 'never an errant replica', list: [inst(0, 'primary'), inst(1, 'replica', { errant: true })], target: 'replica', want: /no replica is ready.*target primary or preferReplica/ },
    { name: 'never an unready replica', list: [inst(0, 'primary'), inst(1, 'replica', { ready: false })], target: 'preferReplica', want: 0 },
    { name: 'the primary when asked', list: [inst(0, 'primary'), inst(1, 'replica')], target: 'primary', want: 0 },
    { name: 'preferReplica takes a replica', list: [inst(0, 'primary'), inst(1, 'replica')], target: 'preferReplica', want: 1 },
    { name: 'no primary, no replica', list: [inst(0, 'primary', { ready: false })], target: 'preferReplica', want: /primary is not ready and no replica is/ },
    { name: 'a single instance', list: [inst(0, 'primary')], target: 'replica', want: /no replica is ready/ },
  ];
  for (const c of cases) {
    await t.test(c.name, () => {
      const got = chooseBackupSource(c.list, c.target);
      if (typeof c.want === 'number') assert.ok(got.ok && got.ordinal === c.want, JSON.stringify(got));
      else assert.ok(!got.ok && c.want.test(got.reason), JSON.stringify(got));
    });
  }
});

test('the GTID positions the tools print', () => {
  assert.equal(gtidOfInfo("binlog_pos = filename 'mariadb-bin.000001', position '754', GTID of the last change '0-1-10,1-2-3'\n"), '0-1-10,1-2-3');
  assert.equal(gtidOfInfo('binlog_pos = \n'), '');
  const dump = "-- CHANGE MASTER TO MASTER_USE_GTID=slave_pos;\n...\n-- SET GLOBAL gtid_slave_pos='0-1-10';\n/*!40101 SET SQL_MODE=@OLD_SQL_MODE */;\n";
  assert.equal(gtidOfDump(dump), '0-1-10');
  assert.equal(gtidOfDump("-- SET GLOBAL gtid_slave_pos='';\n"), '');
  assert.equal(gtidOfDump('-- Dump completed\n'), undefined);
});
