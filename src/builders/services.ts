// Four Services: stable per-instance DNS (headless), the primary (read-write), healthy
// replicas (reads), and every healthy instance. The operator moves the role labels, and
// writes the primary's endpoints itself (endpoints.ts): that Service has no selector.
import { AGENT_PORT, HEALTHY_LABEL, MYSQL_PORT, ROLE_LABEL, childMeta, namesOf, selectorLabels, type Owned } from './names.js';

const mysqlPort = { name: 'mysql', port: MYSQL_PORT, targetPort: 'mysql', protocol: 'TCP' };

function service(owner: Owned, name: string, selector: Record<string, string> | null, extra: Record<string, unknown> = {}) {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: childMeta(owner, name),
    spec: { ...(selector ? { selector: { ...selectorLabels(owner.name), ...selector } } : {}), ports: [mysqlPort], ...extra },
  };
}

export function services(owner: Owned) {
  const n = namesOf(owner.name, owner.namespace);
  return [
    // Clones and replicas need the names before a pod is Ready.
    service(owner, n.headless, {}, {
      clusterIP: 'None',
      publishNotReadyAddresses: true,
      ports: [mysqlPort, { name: 'agent', port: AGENT_PORT, targetPort: 'agent', protocol: 'TCP' }],
    }),
    service(owner, n.primary, null, { ports: [{ name: 'mysql', port: MYSQL_PORT, targetPort: MYSQL_PORT, protocol: 'TCP' }] }),
    service(owner, n.replicas, { [ROLE_LABEL]: 'replica', [HEALTHY_LABEL]: 'true' }),
    service(owner, n.read, { [HEALTHY_LABEL]: 'true' }),
  ];
}
