// The package's install script: builds the oneDNN addon with node-gyp when the system has oneDNN
// and a C++ compiler, and otherwise prints one line and succeeds, so that `npm ci` never fails
// because of the optional native engine (the trainer then falls back to another backend).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

process.on('uncaughtException', (error) => skip(`install script error: ${error.message}`));

const here = dirname(fileURLToPath(import.meta.url));
const packageRoot = join(here, '..');
const tag = '[@resnet-lab/engine-onednn]';

function skip(why) {
  // CI sets RESNET_LAB_REQUIRE_ONEDNN=1: there a missing engine is a failure, not a fallback.
  if (process.env.RESNET_LAB_REQUIRE_ONEDNN === '1') {
    console.error(`${tag} native oneDNN engine not built: ${why} (RESNET_LAB_REQUIRE_ONEDNN=1)`);
    process.exit(1);
  }
  console.log(`${tag} native oneDNN engine not built: ${why}; training falls back to another backend.`);
  process.exit(0);
}

if (process.env.RESNET_LAB_SKIP_ONEDNN_BUILD === '1') skip('RESNET_LAB_SKIP_ONEDNN_BUILD=1');

const includeDirs = [
  process.env.DNNL_ROOT && join(process.env.DNNL_ROOT, 'include'),
  ...(process.env.CPATH ?? '').split(':'),
  '/usr/include',
  '/usr/local/include',
  '/opt/homebrew/include',
].filter(Boolean);
if (!includeDirs.some((d) => existsSync(join(d, 'oneapi', 'dnnl', 'dnnl.hpp')))) {
  skip('oneDNN headers (oneapi/dnnl/dnnl.hpp) not found — install libdnnl-dev (apt) or onednn (Homebrew)');
}

const cxx = process.env.CXX || 'c++';
if (spawnSync(cxx, ['--version'], { stdio: 'ignore' }).status !== 0) skip(`no C++ compiler (${cxx})`);

// npm runs this script with npm_config_node_gyp pointing at its bundled node-gyp; outside npm,
// use the copy bundled with npm next to this node binary.
const prefix = join(dirname(process.execPath), '..');
const nodeGyp = [
  process.env.npm_config_node_gyp,
  join(prefix, 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
].find((p) => p && existsSync(p));
if (!nodeGyp) skip('node-gyp not found (it ships with npm)');

const args = [nodeGyp, 'rebuild', '--jobs=max'];
// Without a nodedir node-gyp downloads Node's headers, which offline machines cannot; the headers
// installed with Node serve as well.
if (!process.env.npm_config_nodedir && existsSync(join(prefix, 'include', 'node', 'node_api.h'))) {
  args.push(`--nodedir=${prefix}`);
}
const started = Date.now();
// A hung compiler must not hang `npm ci`: ten minutes is many times the usual 15-40 s.
const result = spawnSync(process.execPath, args, {
  cwd: packageRoot,
  encoding: 'utf8',
  maxBuffer: 64 * 2 ** 20,
  timeout: 600_000,
});
const log = `${result.stdout ?? ''}\n${result.stderr ?? ''}${result.error ? `\n${result.error.message}` : ''}`;
let logPath;
try {
  mkdirSync(join(packageRoot, 'build'), { recursive: true });
  logPath = join(packageRoot, 'build', 'build-addon.log');
  writeFileSync(logPath, log);
} catch (error) {
  // A read-only or full disk: the build outcome below still decides, with the reason shown.
  logPath = `(not written: ${error.message})`;
}
if (result.status !== 0) {
  const firstError =
    log
      .split('\n')
      .find((l) => /error/i.test(l))
      ?.trim() ?? `exit ${result.status}`;
  skip(`build failed (${firstError.slice(0, 200)}; full log: ${logPath})`);
}
console.log(`${tag} native oneDNN engine built in ${((Date.now() - started) / 1000).toFixed(1)} s.`);
