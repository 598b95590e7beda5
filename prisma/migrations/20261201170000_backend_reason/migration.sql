-- Why the trainer chose the experiment's backend, shown beside it on the experiment page.
ALTER TABLE "Experiment" ADD COLUMN "backendReason" TEXT;
