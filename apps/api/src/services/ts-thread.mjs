// Starts a TypeScript worker thread. Node 20 does not pass `--import tsx` loader hooks on to
// worker threads, so each thread registers tsx itself before importing its .ts entry.
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData.tsEntry);
