// PURE: scaling never removes the primary. While the primary's ordinal is beyond the new
// size, the StatefulSet keeps it and the operator switches over first.

export function statefulSetReplicas(specReplicas: number, primary: number | null): number {
  return primary === null ? specReplicas : Math.max(specReplicas, primary + 1);
}

/** Where to move the primary before scaling down, or undefined when it may stay. */
export function primaryMustMove(specReplicas: number, primary: number | null): boolean {
  return primary !== null && primary >= specReplicas;
}

/** Claims of removed instances to delete under `pvcRetention.whenScaled: Delete`. */
export function claimsOfRemovedInstances(claimOrdinals: number[], specReplicas: number, podOrdinals: number[]): number[] {
  const pods = new Set(podOrdinals);
  return claimOrdinals.filter((o) => o >= specReplicas && !pods.has(o)).sort((a, b) => a - b);
}
