-- Early stopping for sweeps: a grid may carry a rule (ASHA or the median rule) that ends members
-- which are behind their peers. They end in the new final status `stopped`, and every decision the
-- rule made about an experiment is kept on it with the numbers it used.
ALTER TYPE "ExperimentStatus" ADD VALUE IF NOT EXISTS 'stopped';

ALTER TABLE "Grid" ADD COLUMN "earlyStopping" JSONB;

ALTER TABLE "Experiment" ADD COLUMN "stoppingDecisions" JSONB;
