// BENCHMARKS.md is shared by the benchmark scripts: each owns one section between its own start
// and end markers and rewrites only that, leaving what the others (and people) wrote in place.
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

// Resolved here, not through @resnet-lab/testing: the timed benchmark processes import this, and
// that package brings the database and queue clients with it.
export const BENCHMARKS_FILE = join(dirname(fileURLToPath(import.meta.url)), '..', 'BENCHMARKS.md');

/**
 * Replaces the text from `start` to `end` (both markers included in `section`) with `section`; where
 * the markers are not there yet, appends the section under `heading`.
 */
export function writeMarkedSection(markers: { start: string; end: string }, heading: string, section: string): void {
  const text = readFileSync(BENCHMARKS_FILE, 'utf8');
  const at = text.indexOf(markers.start);
  const next =
    at >= 0
      ? text.slice(0, at) + section + text.slice(text.indexOf(markers.end) + markers.end.length)
      : `${text.trimEnd()}\n\n## ${heading}\n\n${section}\n`;
  writeFileSync(BENCHMARKS_FILE, next);
}
