/** A reconcile phase that cannot go on yet: its message goes to the Ready condition as it stands. */
export class PhaseError extends Error {}
