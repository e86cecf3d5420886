/**
 * `chaos-ec2 validate -f FILE`: checks an experiment file the way `run -f` will, without any AWS call:
 * exit 0 and a one-line summary per experiment, or exit 2 with every problem as `file:line path: message`.
 */
import { validateRunOptions } from '../../experiment/config.js';
import { loadExperimentFile } from '../../experiment/file.js';
import { usageError } from '../../core/errors.js';

export async function validateCommand(flags: { file?: string; json?: boolean }, out: NodeJS.WritableStream = process.stdout): Promise<number> {
  if (!flags.file) throw usageError('-f, --file: required (the experiment file to check)');
  const f = await loadExperimentFile(flags.file, process.env);
  const rows = f.experiments.map((e) => {
    const cfg = validateRunOptions(e.raw, process.env);
    return { name: e.name, line: e.line, asg: cfg.asg, fault: cfg.fault, gates: Object.keys(e.gates) };
  });
  if (flags.json) out.write(`${JSON.stringify({ file: flags.file, valid: true, experiments: rows }, null, 2)}\n`);
  else {
    out.write(`${flags.file}: valid, ${rows.length} experiment${rows.length === 1 ? '' : 's'}\n`);
    rows.forEach((r, i) => out.write(`  ${i + 1}. ${r.name} (line ${r.line}): ${r.fault} on ${r.asg}${r.gates.length ? `; gates: ${r.gates.join(', ')}` : ''}\n`));
  }
  return 0;
}
