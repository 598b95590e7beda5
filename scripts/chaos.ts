// The long chaos run (RELIABILITY.md): a 20-experiment grid on a PostgreSQL and a Redis of its own
// while trainer children (x50) and workers (x20) are killed and Redis, PostgreSQL and the API
// restart. Prints the report as JSON and exits 1 when an invariant does not hold.
//   npm run chaos [-- --experiments 20 --epochs 6 --workers 2 --trainer 50 --worker 20 --redis 3 --postgres 3 --api 3]
import { parseArgs } from 'node:util';
import { privateServicesUnavailable, runChaos } from '@resnet-lab/testing';

const { values } = parseArgs({
  options: {
    experiments: { type: 'string', default: '20' },
    epochs: { type: 'string', default: '6' },
    workers: { type: 'string', default: '2' },
    trainer: { type: 'string', default: '50' },
    worker: { type: 'string', default: '20' },
    redis: { type: 'string', default: '3' },
    postgres: { type: 'string', default: '3' },
    api: { type: 'string', default: '3' },
  },
});

const unavailable = privateServicesUnavailable();
if (unavailable) {
  console.error(`chaos: cannot run here: ${unavailable}`);
  process.exit(2);
}
const report = await runChaos({
  experiments: Number(values.experiments),
  epochs: Number(values.epochs),
  workers: Number(values.workers),
  faults: {
    trainer: Number(values.trainer),
    worker: Number(values.worker),
    redis: Number(values.redis),
    postgres: Number(values.postgres),
    api: Number(values.api),
  },
  gapMs: [500, 4_000],
  timeoutMs: 3 * 60 * 60_000,
  log: (line) => console.error(`${new Date().toISOString()} ${line}`),
});
console.log(JSON.stringify(report, null, 2));
const interrupting = report.faultsDone.trainer + report.faultsDone.worker + report.workerCrashes;
const ok =
  report.statuses.succeeded === report.experiments &&
  report.missingEpochs.length === 0 &&
  report.badCheckpoints.length === 0 &&
  report.epochsTrained - report.epochsNeeded <= interrupting + report.faultsDone.redis + report.faultsDone.postgres;
console.error(ok ? 'chaos: every invariant held' : 'chaos: an invariant failed');
process.exit(ok ? 0 : 1);
