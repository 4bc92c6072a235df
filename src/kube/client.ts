// The one door to the API server: configuration, typed clients and what an error's HTTP status was.
import {
  AppsV1Api,
  CoordinationV1Api,
  CoreV1Api,
  CustomObjectsApi,
  EventsV1Api,
  KubeConfig,
  PolicyV1Api,
} from '@kubernetes/client-node';

export interface ConfigSource {
  /** A kubeconfig file; without it KUBECONFIG, then the service account (in a pod), then ~/.kube/config. */
  kubeconfig?: string;
}

export function loadKubeConfig(source: ConfigSource = {}): KubeConfig {
  const kc = new KubeConfig();
  if (source.kubeconfig) kc.loadFromFile(source.kubeconfig);
  else if (!process.env.KUBECONFIG && process.env.KUBERNETES_SERVICE_HOST) kc.loadFromCluster();
  else kc.loadFromDefault();
  if (!kc.getCurrentCluster()) throw new Error('no Kubernetes cluster configured (kubeconfig has no current cluster)');
  return kc;
}

/**
 * Typed clients. client-node 1.4 has no PolicyV1beta1Api: the v1beta1 PodDisruptionBudget of
 * Kubernetes < 1.21 goes through apply.ts (any apiVersion/kind) instead.
 */
export interface KubeClients {
  config: KubeConfig;
  core: CoreV1Api;
  apps: AppsV1Api;
  policy: PolicyV1Api;
  coordination: CoordinationV1Api;
  custom: CustomObjectsApi;
  events: EventsV1Api;
}

export function makeClients(config: KubeConfig): KubeClients {
  return {
    config,
    core: config.makeApiClient(CoreV1Api),
    apps: config.makeApiClient(AppsV1Api),
    policy: config.makeApiClient(PolicyV1Api),
    coordination: config.makeApiClient(CoordinationV1Api),
    custom: config.makeApiClient(CustomObjectsApi),
    events: config.makeApiClient(EventsV1Api),
  };
}

/**
 * The HTTP status behind an error, whoever threw it: typed clients throw ApiException (`code`),
 * client-node's Watch sets `statusCode`, request.ts throws KubeApiError (`code`). Network errors
 * carry string codes (ECONNREFUSED) and give undefined.
 */
export function statusCode(err: unknown): number | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const { code, statusCode: sc } = err as { code?: unknown; statusCode?: unknown };
  if (typeof code === 'number') return code;
  if (typeof sc === 'number') return sc;
  return undefined;
}

export const isNotFound = (err: unknown): boolean => statusCode(err) === 404;
export const isConflict = (err: unknown): boolean => statusCode(err) === 409;
/** 410: a watch or list resourceVersion too old; list again. */
export const isGone = (err: unknown): boolean => statusCode(err) === 410;

/**
 * A one-line description that is safe to log. ApiException's own message embeds the whole response
 * body and headers; only the Status message is kept here.
 */
export function describeError(err: unknown): string {
  const code = statusCode(err);
  const body = (err as { body?: unknown } | null)?.body;
  const statusMessage =
    typeof body === 'object' && body !== null && typeof (body as { message?: unknown }).message === 'string'
      ? (body as { message: string }).message
      : undefined;
  if (code !== undefined && statusMessage !== undefined) return `HTTP ${code}: ${statusMessage}`;
  if (err instanceof Error && (err as { body?: unknown }).body === undefined) return err.message;
  return code !== undefined ? `HTTP ${code}` : String(err);
}
