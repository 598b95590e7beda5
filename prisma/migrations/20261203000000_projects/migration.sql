-- Projects: every grid, experiment and token belongs to one. A token sees only its own project's
-- grids and experiments (and, through them, metrics and checkpoints); another project's id
-- answers 404. Rows from before projects existed, and the single-user mode, use "default".

ALTER TABLE "Grid" ADD COLUMN "project" TEXT NOT NULL DEFAULT 'default';
ALTER TABLE "Experiment" ADD COLUMN "project" TEXT NOT NULL DEFAULT 'default';
ALTER TABLE "ApiToken" ADD COLUMN "project" TEXT NOT NULL DEFAULT 'default';

-- Lists are newest first within a project; reuse looks up succeeded specs within a project.
CREATE INDEX "Grid_project_createdAt_idx" ON "Grid"("project", "createdAt");
CREATE INDEX "Experiment_project_createdAt_idx" ON "Experiment"("project", "createdAt");
CREATE INDEX "Experiment_project_specHash_idx" ON "Experiment"("project", "specHash");
