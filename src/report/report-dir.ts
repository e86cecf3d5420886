/**
 * The report directory, checked with the flags: created if missing and proven writable BEFORE any AWS
 * call, so an unusable `--report-dir` is a configuration error (exit 2, nothing touched) instead of a run
 * that injects a fault and then has nowhere to put its journal or report.
 *
 * Created one level at a time from the nearest existing ancestor, not with `mkdir -p`: Node's recursive
 * mkdir loops forever under some pseudo-filesystems (`/proc/sys/nope`: mkdir says ENOENT, the parent
 * exists, it tries again…). The walk is bounded by the number of path segments. Folders this check created
 * are removed again when it fails, so a refused dir leaves nothing behind.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, rm, rmdir, stat, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { ChaosError, ExitCode, fsReason } from '../core/errors.js';

const HINT = 'create it, or pass a writable directory with --report-dir (or CHAOS_EC2_REPORT_DIR)';

function unusable(dir: string, reason: string, cause?: unknown): ChaosError {
  return new ChaosError(ExitCode.Usage, `report directory ${dir} is not usable: ${reason}`, { phase: 'config', hint: HINT, ...(cause ? { cause } : {}) });
}

/** Creates `dir` if needed and checks that a file can be created in it; throws ChaosError exit 2 if not. */
export async function prepareReportDir(dir: string): Promise<void> {
  const target = resolve(dir);
  // Walk up to the nearest path that exists; everything below it is to be created.
  const missing: string[] = [];
  let existing = target;
  for (;;) {
    try {
      const st = await stat(existing);
      if (!st.isDirectory()) throw unusable(dir, `${existing} exists and is not a directory`);
      break;
    } catch (err) {
      if (err instanceof ChaosError) throw err;
      const code = (err as NodeJS.ErrnoException).code;
      // ENOTDIR: an ancestor is a file; going up finds it and says so.
      if (code !== 'ENOENT' && code !== 'ENOTDIR') throw unusable(dir, `cannot check ${existing}: ${fsReason(err)}`, err);
      const parent = dirname(existing);
      // The root always exists; reaching it without a stat success means something odd: stop, bounded.
      if (parent === existing) throw unusable(dir, `cannot check ${existing}: ${fsReason(err)}`, err);
      missing.unshift(existing);
      existing = parent;
    }
  }
  const created: string[] = [];
  try {
    for (const d of missing) {
      try {
        await mkdir(d);
      } catch (err) {
        // Another process created it meanwhile: fine, if it is a directory (the next step or probe says if not).
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw unusable(dir, `cannot create ${d}: ${fsReason(err)}`, err);
        continue;
      }
      created.unshift(d);
    }
    // The only honest writability test is writing: permission bits do not tell about read-only mounts,
    // ACLs or root squash. The probe is created exclusively (never overwrites) and removed at once.
    const probe = join(target, `.chaos-ec2-probe-${randomUUID()}`);
    try {
      await writeFile(probe, '', { flag: 'wx' });
    } catch (err) {
      throw unusable(dir, `cannot create a file in it: ${fsReason(err)}`, err);
    }
    // A probe left behind (it vanished, or rm failed) is harmless: the directory is writable, which was the question.
    await rm(probe, { force: true }).catch(() => undefined);
  } catch (err) {
    for (const d of created) await rmdir(d).catch(() => undefined);
    throw err;
  }
}
