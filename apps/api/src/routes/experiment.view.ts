import type { Experiment } from '@resnet-lab/db';
import type { ExperimentView } from '@resnet-lab/spec';

export function toExperimentView(row: Experiment): ExperimentView {
  return {
    id: row.id,
    status: row.status,
    spec: row.spec as ExperimentView['spec'],
    specHash: row.specHash,
    attempts: row.attempts,
    backend: row.backend,
    backendReason: row.backendReason,
    worker: row.worker,
    error: row.error,
    progress: (row.progress as ExperimentView['progress']) ?? null,
    cancelRequested: row.cancelRequested,
    project: row.project,
    predictedSeconds: row.predictedSeconds,
    stoppingDecisions: (row.stoppingDecisions as ExperimentView['stoppingDecisions']) ?? null,
    initReport: (row.initReport as ExperimentView['initReport']) ?? null,
    waitsFor: row.waitsFor,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
    startedAt: row.startedAt?.toISOString() ?? null,
    finishedAt: row.finishedAt?.toISOString() ?? null,
  };
}
