export { createRedisConnection, evictionPolicyProblem, evictionProblem } from './connection';
export { JOB_CATALOG } from './catalog';
export {
  createTrainQueue,
  enqueueTrainingBulk,
  removeQueuedTraining,
  removeTrainingJobs,
  type TrainQueue,
} from './train.producer';
export { startOutboxRelay, type OutboxRelay } from './outbox.relay';
export { reconcileQueue } from './queue.reconciler';
export { jobPriority, OutboxPayload } from './job-priority';
export { queueDepth } from './queue-depth';
