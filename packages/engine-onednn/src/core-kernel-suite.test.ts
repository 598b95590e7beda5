// TensorFlow.js' own tfjs-core kernel specs, on the `onednn` backend, for the ops whose kernels the
// engine implements natively. They run in a child process (core-suite/run-core-suite.mjs): they
// need jasmine's globals and tfjs-core's test environment, which would clash with vitest's.
import { execFile } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ENGINE, SKIP_NOTE } from './testing/engine';

const PACKAGE_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const RUNNER = join(PACKAGE_ROOT, 'core-suite', 'run-core-suite.mjs');
/** About 736 specs run today; fewer than this means the filters stopped matching. */
const MIN_SPECS = 700;

function runSuite(): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', RUNNER],
      { cwd: PACKAGE_ROOT, timeout: 240_000, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : null) : 0;
        resolve({ code, output: `${stdout}\n${stderr}` });
      },
    );
  });
}

describe('tfjs-core kernel test suite on onednn' + SKIP_NOTE, () => {
  it.skipIf(!ENGINE.ok)('passes every selected spec, and enough of them ran', async () => {
    const { code, output } = await runSuite();
    const summary = /onednn core suite: (\d+) specs run, (\d+) failed, (\d+) excluded/.exec(output);
    expect(summary, output).not.toBeNull();
    const [, run, failed] = summary!.map(Number);
    expect(failed, output).toBe(0);
    expect(run, output).toBeGreaterThanOrEqual(MIN_SPECS);
    expect(code, output).toBe(0);
  });
});
