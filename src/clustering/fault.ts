import type { Logger } from './operations.js';

/**
 * Tests kill the process running the loop at a named step of an operation (ORDINAL_FAULT),
 * to prove that a restarted supervisor or operator resumes from the saved state.
 */
export function faultInjection(log: Logger): (point: string) => void {
  return (point) => {
    if (process.env.ORDINAL_FAULT === point) {
      log.warn({ point }, 'fault injection: dying here');
      process.kill(process.pid, 'SIGKILL');
    }
  };
}
