export { createDb, type Db } from './client';
export { LeaseLostError, NotFoundError } from './errors';
export { migrate, ensureDatabase, MigrationError, MIGRATIONS_DIR } from './migrate';
export * from './repositories/experiment.repository';
export * from './repositories/metric.repository';
export * from './repositories/checkpoint.repository';
export * from './repositories/outbox.repository';
export * from './repositories/grid.repository';
export { repositories, type Repositories } from './repositories';
