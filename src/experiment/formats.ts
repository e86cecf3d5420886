/**
 * The report formats and the --format parser. Kept apart from the renderers so option validation can use
 * it without loading them.
 */
import { ChaosError, ExitCode } from '../core/errors.js';

export const REPORT_FORMATS = ['json', 'md', 'junit', 'html'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

/**
 * Parses `json,md,junit,html` (the --format value). Unknown names are a usage error naming them; an empty
 * list is one too. Duplicates are dropped.
 */
export function parseFormats(value: string, flag = '--format'): ReportFormat[] {
  const names = value
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter(Boolean);
  const bad = names.filter((n) => !(REPORT_FORMATS as readonly string[]).includes(n));
  if (bad.length || names.length === 0) {
    throw new ChaosError(
      ExitCode.Usage,
      `${flag}: '${value}' ${bad.length ? `has unknown format${bad.length > 1 ? 's' : ''} ${bad.join(', ')}` : 'is empty'}; choose from ${REPORT_FORMATS.join(', ')}`,
      {
        phase: 'config',
      },
    );
  }
  return [...new Set(names)] as ReportFormat[];
}
