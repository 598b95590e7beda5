-- Warm start: an experiment may begin from another experiment's checkpoint (spec.init). What the
-- trainer loaded, skipped (with why) and froze is kept on the experiment, never silent.
ALTER TABLE "Experiment" ADD COLUMN "initReport" JSONB;
