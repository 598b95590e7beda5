export { createRedisConnection } from './connection';
export { JOB_CATALOG } from './catalog';
export { createTrainQueue, enqueueTraining, removeQueuedTraining, type TrainQueue } from './train.producer';
export { startOutboxRelay, type OutboxRelay } from './outbox.relay';
