import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseCluster } from '../../src/api/validate.js';
import { configHash, configMap } from '../../src/builders/config.js';
import { namesOf, ordinalOf } from '../../src/builders/names.js';
import { podDisruptionBudget } from '../../src/builders/pdb.js';
import { primaryEndpoints } from '../../src/builders/endpoints.js';
import { clusterSecret, missingSecretValues, SECRET_KEYS } from '../../src/builders/secret.js';
import { services } from '../../src/builders/services.js';
import { statefulSet } from '../../src/builders/statefulset.js';
import { clusterDoc } from './fixtures.js';

const owner = { name: 'demo', namespace: 'db', uid: 'u-1' };
const cluster = (spec: Record<string, unknown> = {}) => parseCluster(clusterDoc(spec));
const sts = (spec: Record<string, unknown> = {}) => statefulSet(owner, cluster(spec), { image: 'ordinal/mariadb:dev' });

test('names and ordinals', () => {
  const n = namesOf('demo', 'db');
  assert.equal(n.host(2), 'demo-2.demo-headless.db.svc.cluster.local');
  assert.equal(n.pvc(1), 'data-demo-1');
  const cases: Array<[string, number | undefined]> = [['demo-0', 0], ['demo-12', 12], ['demo-01', undefined], ['demo-x', undefined], ['other-1', undefined], ['demo-primary-0', undefined]];
  for (const [pod, want] of cases) assert.equal(ordinalOf('demo', pod), want, pod);
});

test('the StatefulSet: stable names, OnDelete, storage from the spec, owned by the cluster', () => {
  const s = sts({ replicas: 3, storage: { size: '5Gi', storageClassName: 'standard' } });
  assert.equal(s.spec.serviceName, 'demo-headless');
  assert.equal(s.spec.replicas, 3);
  assert.deepEqual(s.spec.updateStrategy, { type: 'OnDelete' });
  assert.equal(s.metadata.ownerReferences[0].uid, 'u-1');
  assert.equal(s.metadata.namespace, 'db');
  const claim = s.spec.volumeClaimTemplates[0];
  assert.equal(claim.metadata.name, 'data');
  assert.deepEqual(claim.spec.resources, { requests: { storage: '5Gi' } });
  assert.equal(claim.spec.storageClassName, 'standard');
  assert.deepEqual(s.spec.template.spec.initContainers.map((c) => c.name), ['init-config', 'clone']);
  assert.deepEqual(s.spec.template.spec.containers.map((c) => c.name), ['mysql', 'agent', 'exporter']);
  for (const c of [...s.spec.template.spec.initContainers, ...s.spec.template.spec.containers]) assert.equal(c.image, 'ordinal/mariadb:dev');
  // The selector must be a subset of the template's labels or the API server refuses it.
  for (const [k, v] of Object.entries(s.spec.selector.matchLabels)) assert.equal((s.spec.template.metadata.labels as Record<string, string>)[k], v);
});

test('a Galera StatefulSet: pods start in parallel, Galera ports, the server stops cleanly', () => {
  const g = sts({ mode: 'galera', replicas: 3 });
  const pr = sts({ replicas: 3 });
  assert.equal(g.spec.podManagementPolicy, 'Parallel');
  assert.equal(pr.spec.podManagementPolicy, 'OrderedReady');
  const mysql = (s: typeof g) => s.spec.template.spec.containers.find((c) => c.name === 'mysql') as unknown as { ports: Array<{ containerPort: number }>; command: string[] };
  assert.deepEqual(mysql(g).ports.map((p) => p.containerPort), [3306, 4567, 4568, 4444]);
  assert.deepEqual(mysql(pr).ports.map((p) => p.containerPort), [3306]);
  const script = (s: typeof g) => mysql(s).command[2];
  assert.match(script(g), /kill -TERM \$server/);
  assert.doesNotMatch(script(g), /kill -KILL/);
  assert.match(script(pr), /kill -KILL \$server/);
  // No liveness probe anywhere: a state transfer that takes an hour must not be killed.
  for (const c of g.spec.template.spec.containers) assert.equal((c as { livenessProbe?: unknown }).livenessProbe, undefined, c.name);
});

test('the StatefulSet follows engine, exporter and resources settings', () => {
  const s = sts({ engine: { image: 'example/mariadb:1', imagePullPolicy: 'Never' }, exporter: { enabled: false }, resources: { limits: { memory: '1Gi' } } });
  const containers = s.spec.template.spec.containers as Array<Record<string, any>>;
  assert.deepEqual(containers.map((c) => c.name), ['mysql', 'agent']);
  assert.ok(containers.every((c) => c.image === 'example/mariadb:1' && c.imagePullPolicy === 'Never'));
  assert.deepEqual(containers[0].resources, { limits: { memory: '1Gi' } });
  assert.equal(containers[1].resources, undefined);
  assert.equal(s.spec.volumeClaimTemplates[0].spec.storageClassName, undefined);
});

test('no password in the pod template', () => {
  const text = JSON.stringify(sts());
  assert.doesNotMatch(text, /password/i);
  assert.ok(text.includes('"secretName":"demo-secrets"'));
});

test('the config hash changes with my.cnf inputs only', () => {
  const base = configHash(cluster());
  assert.equal(configHash(cluster({ replicas: 5, primaryOrdinal: 1, storage: { size: '20Gi' } })), base, 'scaling, switchover and storage restart nothing');
  assert.notEqual(configHash(cluster({ mariadb: { config: { max_connections: 500 } } })), base);
  assert.notEqual(configHash(cluster({ semiSync: { timeoutSeconds: 600 } })), base);
  assert.notEqual(configHash(cluster({ failover: { detectionWindowSeconds: 6 } })), base);
  assert.equal(configHash(cluster({ failover: { minIntervalSeconds: 5 } })), base, 'an HA-loop setting is not in my.cnf');
  const galera = configHash(cluster({ mode: 'galera', replicas: 3 }));
  assert.notEqual(configHash(cluster({ mode: 'galera', replicas: 3, galera: { flowControlLimit: 128 } })), galera, 'Galera\'s settings are in my.cnf');
  assert.equal(configHash(cluster({ mode: 'galera', replicas: 5 })), galera, 'scaling a Galera cluster restarts nothing');
});

test('the ConfigMap holds the validated cluster document for the pods', () => {
  const cm = configMap(owner, cluster({ replicas: 2 }));
  const doc = JSON.parse(cm.data['cluster.json']);
  assert.equal(doc.metadata.namespace, 'db');
  assert.equal(doc.spec.replicas, 2);
  assert.equal(doc.status, undefined);
  assert.deepEqual(parseCluster(doc).spec, cluster({ replicas: 2 }).spec);
});

test('services select by role labels', () => {
  const byName = Object.fromEntries(services(owner).map((s) => [s.metadata.name, s.spec as Record<string, any>]));
  assert.deepEqual(Object.keys(byName), ['demo-headless', 'demo-primary', 'demo-replicas', 'demo-read']);
  assert.equal(byName['demo-headless'].clusterIP, 'None');
  assert.equal(byName['demo-headless'].publishNotReadyAddresses, true);
  assert.equal(byName['demo-primary'].selector, undefined, 'the operator writes its endpoints');
  assert.equal(byName['demo-replicas'].selector['ordinal.dev/role'], 'replica');
  assert.equal(byName['demo-replicas'].selector['ordinal.dev/healthy'], 'true');
  assert.equal(byName['demo-read'].selector['ordinal.dev/role'], undefined);
  for (const name of ['demo-headless', 'demo-replicas', 'demo-read']) assert.equal(byName[name].selector['ordinal.dev/cluster'], 'demo');
});

test('the primary endpoints: one address or none; a slice kube-proxy reads, an Endpoints object not mirrored', () => {
  const [slice, endpoints] = primaryEndpoints(owner, { ip: '10.244.0.9', pod: 'demo-1' }, 'discovery.k8s.io/v1');
  assert.equal(slice.kind, 'EndpointSlice');
  assert.equal(slice.metadata.labels['kubernetes.io/service-name'], 'demo-primary');
  assert.deepEqual(slice.endpoints.map((e) => e.addresses), [['10.244.0.9']]);
  assert.equal(endpoints.kind, 'Endpoints');
  assert.equal(endpoints.metadata.labels['endpointslice.kubernetes.io/skip-mirror'], 'true');
  assert.deepEqual(endpoints.subsets.map((s) => s.addresses.map((a) => a.ip)), [['10.244.0.9']]);
  const [noSlice, none] = primaryEndpoints(owner, null, 'discovery.k8s.io/v1beta1');
  assert.deepEqual([noSlice.endpoints, none.subsets], [[], []], 'during a failover: nobody');
  assert.equal(noSlice.apiVersion, 'discovery.k8s.io/v1beta1');
});

test('secrets: generated once, kept, given values win', () => {
  const all = missingSecretValues(undefined, { app: 'given' });
  assert.deepEqual(Object.keys(all).sort(), [...SECRET_KEYS].sort());
  assert.equal(all.app, 'given');
  assert.notEqual(all.root, all.operator);
  const full = { root: 'x', operator: 'y', replication: 'z', app: 'a', exporter: 'e', 'agent-token': 't', sst: 's' };
  assert.deepEqual(missingSecretValues(full), {});
  // A Secret from before Galera gains the SST password alone; nothing else changes.
  const { sst: _s, ...older } = full;
  assert.deepEqual(Object.keys(missingSecretValues(older)), ['sst']);
  assert.deepEqual(Object.keys(missingSecretValues({ root: 'x' })).sort(), SECRET_KEYS.filter((k) => k !== 'root').sort());
  const s = clusterSecret(owner, { app: 'pw' }, { owned: true });
  assert.equal(Buffer.from(s.data.app, 'base64').toString(), 'pw');
  assert.equal((s.metadata as { ownerReferences?: unknown[] }).ownerReferences?.length, 1, 'deleted with the cluster when its claims are');
  // Retained claims keep their passwords: the Secret outlives the cluster with them.
  assert.equal('ownerReferences' in clusterSecret(owner, { app: 'pw' }, { owned: false }).metadata, false);
});

test('PDB in the served policy version', () => {
  assert.equal(podDisruptionBudget(owner, 'policy/v1beta1').apiVersion, 'policy/v1beta1');
  assert.deepEqual(podDisruptionBudget(owner, 'policy/v1').spec.maxUnavailable, 1);
});

test('spec.pitr: only the agent reaches the archive (S3 keys from the named Secret, or the claim)', () => {
  const s3 = sts({ pitr: { storage: { s3: { bucket: 'wal', credentialsSecretRef: { name: 'keys' } } } } }) as any;
  const byName = (o: any) => Object.fromEntries(o.spec.template.spec.containers.map((c: any) => [c.name, c]));
  const c3 = byName(s3);
  assert.deepEqual(c3.agent.env.filter((e: any) => e.valueFrom?.secretKeyRef).map((e: any) => [e.name, e.valueFrom.secretKeyRef.name, e.valueFrom.secretKeyRef.key]), [
    ['AWS_ACCESS_KEY_ID', 'keys', 'accessKeyId'],
    ['AWS_SECRET_ACCESS_KEY', 'keys', 'secretAccessKey'],
  ]);
  assert.ok(!c3.mysql.env.some((e: any) => e.name.startsWith('AWS_')), 'not in the mysql container');
  const pvc = byName(sts({ pitr: { storage: { pvc: { claimName: 'archive' } } } }) as any);
  assert.deepEqual(pvc.agent.volumeMounts.at(-1), { name: 'archive', mountPath: '/var/lib/ordinal/archive' });
  assert.ok(!(sts() as any).spec.template.spec.volumes.some((v: any) => v.name === 'archive'), 'no pitr: no archive volume');
});
