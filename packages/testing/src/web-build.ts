import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { REPO_ROOT } from './processes';

/**
 * Builds the dashboard into `outDir` (served by an API started with WEB_ROOT=outDir), so a test
 * never serves files another test's build is replacing. NODE_ENV is forced to production: under
 * vitest it is "test", and Vite would then bundle React's slow development build.
 */
export function buildDashboard(outDir: string): void {
  const web = path.join(REPO_ROOT, 'apps', 'web');
  const vite = path.join(REPO_ROOT, 'node_modules', 'vite', 'bin', 'vite.js');
  execFileSync(process.execPath, [vite, 'build', '--outDir', outDir, '--emptyOutDir'], {
    cwd: web,
    stdio: 'pipe',
    env: { ...process.env, NODE_ENV: 'production' },
  });
}
