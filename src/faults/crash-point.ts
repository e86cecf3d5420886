/**
 * Test-only crash points. With CHAOS_EC2_TEST_CRASH_AT=<point> the process SIGKILLs itself at that point of
 * injection — no handler, no finally, exactly like a power cut — so tests can prove that `chaos-ec2 recover`
 * undoes whatever was left from the tags alone. Points: after-create (the chaos NACL exists, tagged, nothing
 * associated), after-first-replace, after-all-replaced, hold (midway through the hold). Unset: no effect.
 */
export type CrashPoint = 'after-create' | 'after-first-replace' | 'after-all-replaced' | 'hold';

export function crashPoint(point: CrashPoint): void {
  if (process.env.CHAOS_EC2_TEST_CRASH_AT === point) process.kill(process.pid, 'SIGKILL');
}
