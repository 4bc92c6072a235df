// At most one instance voluntarily disrupted at a time (drains, node upgrades).
import { childMeta, namesOf, selectorLabels, type Owned } from './names.js';

/** `apiVersion` is what the server serves: policy/v1 (1.21+) or policy/v1beta1. */
export function podDisruptionBudget(owner: Owned, apiVersion: 'policy/v1' | 'policy/v1beta1') {
  return {
    apiVersion,
    kind: 'PodDisruptionBudget',
    metadata: childMeta(owner, namesOf(owner.name, owner.namespace).pdb),
    spec: { maxUnavailable: 1, selector: { matchLabels: selectorLabels(owner.name) } },
  };
}
