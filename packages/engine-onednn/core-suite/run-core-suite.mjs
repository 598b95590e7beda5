// Runs TensorFlow.js' own tfjs-core kernel tests (the jasmine specs shipped in
// @tensorflow/tfjs-core/dist) against the `onednn` backend, limited to the suites of the ops
// whose kernels the engine implements natively. Run it under tsx, which loads the engine's
// TypeScript and turns tfjs-core's ES-module dist files into CommonJS:
//
//   node --import tsx packages/engine-onednn/core-suite/run-core-suite.mjs [--verbose]
//   (or: npm run core-suite -w @resnet-lab/engine-onednn)
//
// It prints a one-line summary, `onednn core suite: <run> specs run, <failed> failed, <excluded>
// excluded`, which src/core-kernel-suite.test.ts checks. Exit status: 0 when every selected spec
// passed and at least MIN_SPECS ran; 1 otherwise; 2 when the engine is unavailable.
import Jasmine from 'jasmine';
import { createRequire } from 'node:module';
import process from 'node:process';

const require = createRequire(import.meta.url);
const verbose = process.argv.includes('--verbose');
const ENV_NAME = 'test-onednn';

/** Fewer executed specs than this means the filters or the tfjs-core suite changed: fail. */
const MIN_SPECS = 700;

/**
 * Suites to run, by the start of their full name (`<describe name> test-onednn {}`). Specs of these
 * suites with int32, bool or complex tensors, NCHW or other cases the native kernels do not cover
 * stay in: the engine's contract is to hand those to tfjs' cpu kernel, and they check that it does.
 * Each exclude below is a spec where the engine knowingly differs from tfjs' reference.
 */
const TEST_FILTERS = [
  // Conv2D, FusedConv2D, Conv2DBackpropInput, Conv2DBackpropFilter.
  { startsWith: 'conv2d ' },
  { startsWith: 'fused conv2d ' },
  {
    startsWith: 'conv2dTranspose ',
    excludes: [
      // Known deviation: dy is 8x8 where the geometry (4x4 'same', stride 1) implies 4x4; tfjs' cpu
      // reads a strided 4x4 window of it, the engine reads it as a dense 4x4 (tfjs-node skips it too).
      'input=8x8x8,output=4x4x8,f=8,s=1,inDepth=8,p=same vec4',
    ],
  },
  { startsWith: 'conv1d ' },
  // BatchMatMul, _FusedMatMul.
  { startsWith: 'matmul ' },
  { startsWith: 'matmulBatch ' },
  { startsWith: 'fused matmul ' },
  { startsWith: 'dot ' },
  // FusedBatchNorm.
  { startsWith: 'batchNorm2D ' },
  { startsWith: 'batchNorm3D ' },
  { startsWith: 'batchNorm4D ' },
  // Relu (and its native gradient), Step.
  { startsWith: 'relu ' },
  { startsWith: 'step kernel ' },
  // Broadcasting binary kernels and AddN.
  { startsWith: 'add ' },
  { startsWith: 'addN ' },
  { startsWith: 'sub ' },
  { startsWith: 'mul ' },
  { startsWith: 'div ' },
  { startsWith: 'maximum ' },
  { startsWith: 'minimum ' },
  { startsWith: 'squaredDifference ' },
  // Sum, Mean, Max.
  { startsWith: 'sum ' },
  { startsWith: 'mean ' },
  { startsWith: 'max ' },
  // Softmax.
  { startsWith: 'softmax ' },
  // MaxPool, AvgPool and their gradients; tf.pool dispatches to the same kernels.
  {
    startsWith: 'maxPool ',
    excludes: [
      // Known deviation: the engine's max pooling propagates NaN (as TensorFlow and PyTorch do);
      // tfjs' cpu kernel skips it, [4,5,7,NaN] -> 7 there, NaN here.
      'ignores NaNs',
    ],
  },
  { startsWith: 'maxPoolBackprop ' },
  { startsWith: 'avgPool ' },
  {
    startsWith: 'pool ',
    excludes: [
      // Known deviation: 1x1 window, stride 2, pad 1: tfjs' cpu returns x unchanged for any 1x1
      // window whose output shape equals the input's; the engine pools, and the window at (0,0)
      // lies wholly in the padding: -Infinity (max), NaN (avg) (tfjs-node skips these too).
      'x=[2,2,3] f=[1,1] s=2 p=1 fractional outputs default rounding',
    ],
  },
  { startsWith: 'poolBackprop ' },
  // PadV2, Slice.
  { startsWith: 'pad ' },
  { startsWith: 'slice' },
];

function fail(message) {
  console.error(message);
  process.exit(1);
}

// jasmine first: it defines the globals (describe, it, jasmine) the tfjs-core specs use.
const runner = new Jasmine();
runner.exitOnCompletion = false;
runner.jasmine.DEFAULT_TIMEOUT_INTERVAL = 60_000;
// tfjs-core repeats some suite names ("div", "pad"): jasmine 5+ rejects that by default.
runner.env.configure({ random: false, forbidDuplicateNames: false });

// tfjs-core's own module graph (dist/*.js, the copy its specs import) with its side effects:
// chained ops on its Tensor class and every gradient. Loaded before the engine registers, so
// that the engine's gradient overrides (Relu's) are the ones left in the global registry.
const jasmineUtil = require('@tensorflow/tfjs-core/dist/jasmine_util');
require('@tensorflow/tfjs-core/dist/index');
require('@tensorflow/tfjs-core/dist/public/chained_ops/register_all_chained_ops');
require('@tensorflow/tfjs-core/dist/register_all_gradients');

const { registerOnednnBackend } = await import('../src/index.ts');
const registered = registerOnednnBackend({ threads: 1 });
if (!registered.ok) {
  console.error(`oneDNN engine unavailable: ${registered.reason}`);
  process.exit(2);
}

// Count the calls of every native kernel (a call may still hand its case to the cpu kernel), to
// show which of them the selected specs reach.
const { nativeKernelConfigs } = await import('../src/register-all.ts');
const { getKernel, registerKernel, unregisterKernel } = require('@tensorflow/tfjs-core/dist/index');
const calls = new Map();
for (const { kernelName, backendName } of nativeKernelConfigs) {
  const config = getKernel(kernelName, backendName);
  calls.set(kernelName, 0);
  unregisterKernel(kernelName, backendName);
  registerKernel({
    ...config,
    kernelFunc: (args) => {
      calls.set(kernelName, calls.get(kernelName) + 1);
      return config.kernelFunc(args);
    },
  });
}

jasmineUtil.setTestEnvs([{ name: ENV_NAME, backendName: 'onednn', isDataSync: true }]);

// tfjs-core's filter (startsWith, minus excludes), narrowed to the specs of this backend's test env
// (plain describe() specs of tfjs-core do not run on a chosen backend); the specs the excludes drop
// are counted for the summary.
const excluded = new Set();
jasmineUtil.setupTestFilters(TEST_FILTERS, () => false);
const filterSpec = runner.env.configuration().specFilter;
const inSelectedSuite = (name) =>
  name.includes(` ${ENV_NAME} `) && TEST_FILTERS.some((f) => name.startsWith(f.startsWith));
runner.env.configure({
  specFilter: (spec) => {
    const name = spec.getFullName();
    if (!inSelectedSuite(name)) return false;
    if (filterSpec(spec)) return true;
    excluded.add(spec.id);
    if (verbose) console.log(`excluded: ${name}`);
    return false;
  },
});

require('@tensorflow/tfjs-core/dist/tests');

const failures = [];
let run = 0;
runner.clearReporters();
runner.addReporter({
  specDone(result) {
    if (result.status === 'excluded') return;
    if (result.status === 'pending') return;
    run++;
    if (result.status === 'failed') failures.push(result);
    if (verbose) console.log(`${result.status === 'passed' ? 'ok  ' : 'FAIL'} ${result.fullName}`);
  },
  // Errors outside any spec (in a suite's beforeAll/afterAll, or at the top) count as failures.
  suiteDone(result) {
    if (result.failedExpectations.length > 0) failures.push(result);
  },
  jasmineDone(result) {
    if (result.failedExpectations.length > 0) failures.push({ fullName: '(top level)', ...result });
  },
});

const started = Date.now();
const overall = await runner.execute();
const seconds = ((Date.now() - started) / 1000).toFixed(1);

for (const f of failures) {
  console.log(`FAILED: ${f.fullName}`);
  for (const e of f.failedExpectations) console.log(`    ${e.message.split('\n')[0]}`);
}
const uncalled = [...calls].filter(([, n]) => n === 0).map(([name]) => name);
if (verbose) console.log([...calls].map(([name, n]) => `${name}: ${n} calls`).join('\n'));
console.log(`native kernels not called by any selected spec: ${uncalled.join(', ') || 'none'}`);
console.log(
  `onednn core suite: ${run} specs run, ${failures.length} failed, ${excluded.size} excluded ` +
    `(${overall.overallStatus}, ${seconds} s)`,
);
if (failures.length > 0 || overall.overallStatus !== 'passed') fail('onednn core suite failed');
if (run < MIN_SPECS) fail(`onednn core suite: only ${run} specs ran, expected at least ${MIN_SPECS}`);
