import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseAllDocuments, stringify } from 'yaml';
import { deployFiles } from '../../src/builders/deploy-files.js';
import { INSTALL_DEFAULTS, installBundle, operatorObjects } from '../../src/builders/install.js';
import { manifestsCommand } from '../../src/cli/manifests.js';

type Obj = Record<string, any>;
type Rule = { apiGroups: string[]; resources: string[]; verbs: string[] };

const bundle = installBundle() as Obj[];
const find = (kind: string, name?: string) => bundle.filter((o) => o.kind === kind && (!name || o.metadata.name === name));
const clusterRules = (): Rule[] => find('ClusterRole')[0].rules;
/** Verbs granted on `group/resource` by a set of rules. */
const verbsOn = (rules: Rule[], group: string, resource: string) =>
  [...new Set(rules.filter((r) => r.apiGroups.includes(group) && r.resources.includes(resource)).flatMap((r) => r.verbs))].sort();

test('the bundle holds every object once, CRDs and the namespace first', () => {
  assert.deepEqual(bundle.map((o) => `${o.kind}/${o.metadata.name}`), [
    'CustomResourceDefinition/mysqlclusters.ordinal.dev',
    'CustomResourceDefinition/mysqlbackups.ordinal.dev',
    'CustomResourceDefinition/mysqlrestores.ordinal.dev',
    'CustomResourceDefinition/mysqlbackupschedules.ordinal.dev',
    'Namespace/ordinal-system',
    'ServiceAccount/ordinal-operator',
    'ClusterRole/ordinal-operator',
    'ClusterRoleBinding/ordinal-operator',
    'Role/ordinal-operator-leader-election',
    'RoleBinding/ordinal-operator-leader-election',
    'Deployment/ordinal-operator',
    'Service/ordinal-operator-metrics',
  ]);
});

test('RBAC is least privilege', async (t) => {
  const rules = clusterRules();
  const all = [...rules, ...find('Role')[0].rules as Rule[]];
  await t.test('no wildcards anywhere', () => {
    for (const r of all) for (const v of [...r.apiGroups, ...r.resources, ...r.verbs]) assert.ok(!v.includes('*'), JSON.stringify(r));
  });
  // Jobs are allowed: a backup runs in one (it mounts the storage and the S3 keys, not the operator).
  await t.test('no pods/exec, attach, port-forward, cronjobs, escalate, bind, impersonate', () => {
    const resources = all.flatMap((r) => r.resources);
    for (const banned of ['pods/exec', 'pods/attach', 'pods/portforward', 'cronjobs', 'nodes', 'namespaces', 'clusterroles', 'roles', 'customresourcedefinitions']) {
      assert.ok(!resources.includes(banned), banned);
    }
    for (const v of all.flatMap((r) => r.verbs)) assert.ok(!['escalate', 'bind', 'impersonate', 'deletecollection'].includes(v), v);
  });
  const table: [string, string, string[]][] = [
    ['', 'secrets', ['create', 'delete', 'get', 'patch']],
    ['', 'pods', ['delete', 'get', 'list', 'patch', 'watch']],
    ['', 'persistentvolumeclaims', ['create', 'delete', 'get', 'list', 'patch', 'watch']],
    ['', 'services', ['create', 'get', 'list', 'patch', 'update', 'watch']],
    ['', 'configmaps', ['create', 'get', 'list', 'patch', 'update', 'watch']],
    ['', 'endpoints', ['create', 'get', 'list', 'patch', 'update', 'watch']],
    ['discovery.k8s.io', 'endpointslices', ['create', 'get', 'list', 'patch', 'update', 'watch']],
    ['', 'events', ['create', 'patch']],
    ['events.k8s.io', 'events', ['create', 'patch']],
    ['apps', 'statefulsets', ['create', 'get', 'list', 'patch', 'update', 'watch']],
    ['policy', 'poddisruptionbudgets', ['create', 'get', 'list', 'patch', 'update', 'watch']],
    ['ordinal.dev', 'mysqlclusters', ['create', 'get', 'list', 'patch', 'watch']],
    ['ordinal.dev', 'mysqlclusters/status', ['get', 'patch']],
    ['ordinal.dev', 'mysqlclusters/finalizers', ['update']],
    ['ordinal.dev', 'mysqlbackups', ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch']],
    ['ordinal.dev', 'mysqlbackups/status', ['get', 'patch']],
    ['ordinal.dev', 'mysqlbackups/finalizers', ['update']],
    ['ordinal.dev', 'mysqlbackupschedules', ['get', 'list', 'watch']],
    ['ordinal.dev', 'mysqlbackupschedules/status', ['get', 'patch']],
    ['batch', 'jobs', ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch']],
    ['ordinal.dev', 'mysqlrestores', ['get', 'list', 'watch']],
    ['ordinal.dev', 'mysqlrestores/status', ['get', 'patch']],
    ['coordination.k8s.io', 'leases', []],
  ];
  for (const [group, resource, verbs] of table) {
    await t.test(`cluster-wide ${group || 'core'}/${resource}: ${verbs.join(',') || 'nothing'}`, () => assert.deepEqual(verbsOn(rules, group, resource), verbs));
  }
  await t.test('leases only in the operator namespace', () => {
    const role = find('Role')[0];
    assert.equal(role.metadata.namespace, 'ordinal-system');
    assert.deepEqual(verbsOn(role.rules, 'coordination.k8s.io', 'leases'), ['create', 'get', 'update']);
    const binding = find('RoleBinding')[0];
    assert.deepEqual(binding.roleRef, { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: role.metadata.name });
  });
  await t.test('bindings name the operator service account', () => {
    for (const b of [...find('ClusterRoleBinding'), ...find('RoleBinding')]) {
      assert.deepEqual(b.subjects, [{ kind: 'ServiceAccount', name: 'ordinal-operator', namespace: 'ordinal-system' }]);
    }
  });
});

test('the Deployment', () => {
  const d = find('Deployment')[0];
  const c = d.spec.template.spec.containers[0];
  assert.equal(d.spec.replicas, 2);
  assert.equal(d.spec.template.spec.serviceAccountName, 'ordinal-operator');
  assert.deepEqual([...c.command, ...c.args], ['node', '/opt/ordinal/bin/ordinal.js', 'operator', '--leader-elect', '--health-port', '8080', '--image', INSTALL_DEFAULTS.image]);
  assert.deepEqual(c.env.map((e: Obj) => `${e.name}=${e.valueFrom.fieldRef.fieldPath}`), ['POD_NAME=metadata.name', 'POD_NAMESPACE=metadata.namespace']);
  assert.deepEqual([c.livenessProbe.httpGet.path, c.readinessProbe.httpGet.path], ['/healthz', '/readyz']);
  assert.deepEqual(c.ports, [{ name: 'http', containerPort: 8080, protocol: 'TCP' }]);
  assert.deepEqual(d.spec.selector.matchLabels, d.spec.template.metadata.labels);
  const svc = find('Service', 'ordinal-operator-metrics')[0];
  assert.equal(svc.metadata.annotations['prometheus.io/scrape'], 'true');
  assert.equal(svc.metadata.annotations['prometheus.io/port'], '8080');
  assert.deepEqual(svc.spec.selector, d.spec.selector.matchLabels);
});

test('without leader election: no Lease permissions and no flag', () => {
  const objs = operatorObjects({ ...INSTALL_DEFAULTS, leaderElection: false, replicas: 1 }) as Obj[];
  assert.equal(objs.some((o) => o.kind === 'Role' || o.kind === 'RoleBinding'), false);
  const args: string[] = objs.find((o) => o.kind === 'Deployment')!.spec.template.spec.containers[0].args;
  assert.equal(args.includes('--leader-elect'), false);
});

/**
 * Just enough of Helm for the chart's templates: values, `default`, `if`/`end` and
 * `toYaml | nindent`, with `{{-` trimming the whitespace before it. No helm binary here.
 */
function renderHelm(text: string, values: Obj, releaseNamespace: string): string {
  const value = (path: string) => path.split('.').slice(2).reduce((v: any, k) => v?.[k], { Values: values }.Values);
  const evaluate = (expr: string): string => {
    let m = /^\.Values\.([\w.]+) \| default \.Release\.Namespace$/.exec(expr);
    if (m) return String(value(`.Values.${m[1]}`) || releaseNamespace);
    m = /^toYaml (\.Values\.[\w.]+) \| nindent (\d+)$/.exec(expr);
    if (m) return `\n${stringify(value(m[1])).trimEnd().split('\n').map((l) => ' '.repeat(Number(m![2])) + l).join('\n')}`;
    if (/^\.Values\.[\w.]+$/.test(expr)) return String(value(expr));
    throw new Error(`unsupported template expression: ${expr}`);
  };
  let out = '';
  const skipping: boolean[] = [];
  const re = /(\s*)\{\{(-?) (.*?) \}\}/gs;
  let last = 0;
  for (const m of text.matchAll(re)) {
    const before = text.slice(last, m.index) + (m[2] === '-' ? '' : m[1]);
    if (!skipping.includes(true)) out += before;
    last = m.index! + m[0].length;
    const expr = m[3];
    if (expr.startsWith('if ')) skipping.push(!value(expr.slice(3)));
    else if (expr === 'end') skipping.pop();
    else if (!skipping.includes(true)) out += evaluate(expr);
  }
  return out + text.slice(last);
}

test('the Helm chart with its default values renders the same objects as install.yaml', () => {
  const files = deployFiles();
  const values = parseAllDocuments(files['helm/ordinal/values.yaml'])[0].toJS();
  const rendered = Object.entries(files)
    .filter(([p]) => p.startsWith('helm/ordinal/templates/'))
    .flatMap(([, text]) => parseAllDocuments(renderHelm(text, values, 'ordinal-system')).map((d) => d.toJS()))
    .filter((o) => o);
  const key = (o: Obj) => `${o.kind}/${o.metadata.name}`;
  const expected = operatorObjects(INSTALL_DEFAULTS) as Obj[];
  assert.deepEqual(rendered.sort((a, b) => key(a).localeCompare(key(b))), [...expected].sort((a, b) => key(a).localeCompare(key(b))));
  // The switches are wired: leader election off drops the Role and the flag.
  const off = renderHelm(files['helm/ordinal/templates/deployment.yaml'], { ...values, leaderElection: { enabled: false }, replicas: 1 }, 'x');
  assert.ok(!off.includes('--leader-elect') && /replicas: 1\n/.test(off));
  assert.equal(renderHelm(files['helm/ordinal/templates/leader-election.yaml'], { ...values, leaderElection: { enabled: false } }, 'x').trim(), '');
});

test('ordinal manifests install honours its options', async () => {
  const out = await capture(() => manifestsCommand().parseAsync(['install', '--namespace', 'dbops', '--image', 'reg.example/ordinal:9', '--replicas', '3'], { from: 'user' }));
  const docs = parseAllDocuments(out).map((d) => d.toJS()) as Obj[];
  assert.equal(docs.length, bundle.length);
  const d = docs.find((o) => o.kind === 'Deployment')!;
  assert.equal(d.metadata.namespace, 'dbops');
  assert.equal(d.spec.replicas, 3);
  assert.equal(d.spec.template.spec.containers[0].image, 'reg.example/ordinal:9');
  assert.equal(docs.find((o) => o.kind === 'Namespace')!.metadata.name, 'dbops');
  const crds = parseAllDocuments(await capture(() => manifestsCommand().parseAsync(['crds'], { from: 'user' }))).map((x) => x.toJS());
  assert.deepEqual(crds, bundle.slice(0, 4));
});

async function capture(run: () => Promise<unknown>): Promise<string> {
  const write = process.stdout.write;
  let out = '';
  process.stdout.write = ((chunk: string) => ((out += chunk), true)) as typeof process.stdout.write;
  try {
    await run();
  } finally {
    process.stdout.write = write;
  }
  return out;
}
