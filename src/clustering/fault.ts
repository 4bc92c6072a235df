import type { Logger } from './operations.js';

/**
 * Tests stop the process running the loop at a named step of an operation (ORDINAL_FAULT):
 * `POINT` kills it, to prove that a restarted supervisor or operator resumes from the saved
 * state; `stall:POINT` freezes it (SIGSTOP) until the test sends SIGCONT, to prove that a
 * leader that stalled past its Lease does not act again when it wakes.
 */
export function faultInjection(log: Logger): (point: string) => void {
  return (point) => {
    const fault = process.env.ORDINAL_FAULT;
    if (fault === point) {
      log.warn({ point }, 'fault injection: dying here');
      process.kill(process.pid, 'SIGKILL');
    } else if (fault === `stall:${point}`) {
      log.warn({ point }, 'fault injection: stalling here');
      process.kill(process.pid, 'SIGSTOP');
    }
  };
}
