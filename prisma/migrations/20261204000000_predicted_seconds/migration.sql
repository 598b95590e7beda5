-- The cost estimator's prediction of an experiment's wall time, stored when its grid is submitted,
-- so that the summary and the export can set it beside the time the run really took (and the
-- estimator be judged by it). Null where no estimate was possible, and for rows from before.
ALTER TABLE "Experiment" ADD COLUMN "predictedSeconds" DOUBLE PRECISION;
