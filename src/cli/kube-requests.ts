// What the command line asks of a MySQLCluster on Kubernetes (`ordinal switchover|rebuild` and
// `kubectl ordinal ...`): which cluster and namespace, its status, a switchover through
// spec.primaryOrdinal (refused with the reason before anything changes), a rebuild through
// the annotation. Exit codes a script can rely on are in CliError.
import type { KubeConfig } from '@kubernetes/client-node';
import { CLUSTER_API, REBUILD_ANNOTATION } from '../api/cluster.js';
import { isNotFound, loadKubeConfig, statusCode } from '../kube/client.js';
import { kubeRequest } from '../kube/request.js';
import { switchoverTarget, type ClusterView } from './cluster-tree.js';

/** 1: refused or failed; 2: bad usage; 3: no such cluster; 4: the API server refused us (RBAC). */
export class CliError extends Error {
  constructor(message: string, readonly exitCode: 1 | 2 | 3 | 4 = 1) {
    super(message);
  }
}

export interface KubeTarget {
  kc: KubeConfig;
  namespace: string;
}

/** Like kubectl: --kubeconfig, else KUBECONFIG, else ~/.kube/config; --context; -n, else the context's namespace, else default. */
export function kubeTarget(o: { kubeconfig?: string; context?: string; namespace?: string }): KubeTarget {
  let kc: KubeConfig;
  try {
    kc = loadKubeConfig({ kubeconfig: o.kubeconfig });
  } catch (err) {
    throw new CliError(`${o.kubeconfig ? `--kubeconfig ${o.kubeconfig}` : 'the kubeconfig'}: ${(err as Error).message}`, 2);
  }
  if (o.context) {
    if (!kc.getContextObject(o.context)) throw new CliError(`--context: no context "${o.context}" in the kubeconfig (contexts: ${kc.getContexts().map((c) => c.name).join(', ')})`, 2);
    kc.setCurrentContext(o.context);
  }
  const namespace = o.namespace ?? kc.getContextObject(kc.getCurrentContext())?.namespace ?? 'default';
  return { kc, namespace };
}

const clusterPath = (t: KubeTarget, name: string) => `/apis/${CLUSTER_API.apiVersion}/namespaces/${t.namespace}/mysqlclusters/${name}`;

interface ClusterObject {
  metadata: { name: string; namespace: string };
  spec?: { mode?: string };
  status?: ClusterView['status'];
}

export async function getCluster(t: KubeTarget, name: string): Promise<ClusterView> {
  try {
    const object = await kubeRequest<ClusterObject>(t.kc, { method: 'GET', path: clusterPath(t, name) });
    return { name, namespace: t.namespace, mode: object.spec?.mode, status: object.status };
  } catch (err) {
    throw asCliError(err, name, t);
  }
}

/** Switch over to `to` (or the best ready replica) and wait until the status shows it; the instance it went to. */
export async function requestSwitchover(t: KubeTarget, name: string, to: number | undefined, timeoutSeconds: number): Promise<number> {
  const target = switchoverTarget(await getCluster(t, name), to);
  if (!target.ok) throw new CliError(`switchover refused: ${target.why}`);
  await patch(t, name, { spec: { primaryOrdinal: target.ordinal } });
  const deadline = Date.now() + timeoutSeconds * 1000;
  for (;;) {
    const c = await getCluster(t, name);
    if (c.status?.primary === target.ordinal) return target.ordinal;
    if (Date.now() > deadline) throw new CliError(`instance ${target.ordinal} is not the primary after ${timeoutSeconds} s: ${c.status?.message || 'no message in the status'}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

/** Ask for a rebuild (the annotation); the operator clears it when done. */
export async function requestRebuild(t: KubeTarget, name: string, ordinal: number): Promise<void> {
  const c = await getCluster(t, name);
  const instances = c.status?.instances ?? [];
  if (!instances.some((i) => i.ordinal === ordinal)) throw new CliError(`rebuild refused: instance ${ordinal} does not exist (instances: ${instances.map((i) => i.ordinal).join(', ') || 'none'})`);
  if (c.mode !== 'galera' && ordinal === c.status?.primary) throw new CliError(`rebuild refused: instance ${ordinal} is the primary; switch over first`);
  await patch(t, name, { metadata: { annotations: { [REBUILD_ANNOTATION]: String(ordinal) } } });
}

async function patch(t: KubeTarget, name: string, body: unknown): Promise<void> {
  try {
    await kubeRequest(t.kc, { method: 'PATCH', path: clusterPath(t, name), body, contentType: 'application/merge-patch+json' });
  } catch (err) {
    throw asCliError(err, name, t);
  }
}

function asCliError(err: unknown, name: string, t: KubeTarget): Error {
  if (isNotFound(err)) return new CliError(`MySQLCluster ${t.namespace}/${name} not found`, 3);
  const code = statusCode(err);
  if (code === 401 || code === 403) return new CliError(`the API server refused: ${(err as Error).message}`, 4);
  return err as Error;
}
