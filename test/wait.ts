// Waiting in tests: for an event, with a generous deadline, never for a fixed time.
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Poll until `check` returns a value (not undefined); fail with the last observation. */
export async function waitFor<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 180_000, describe?: () => Promise<string>, intervalMs = 500): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  for (;;) {
    try {
      const v = await check();
      if (v !== undefined) return v;
    } catch (err) {
      last = (err as Error).message;
    }
    if (Date.now() > deadline) {
      const state = describe ? await describe().catch((e) => String(e)) : '';
      throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}${last ? ` (last error: ${last})` : ''}\n${state}`);
    }
    await sleep(intervalMs);
  }
}
