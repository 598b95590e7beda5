-- Grid dependencies: an experiment whose warm start loads another experiment of its grid waits
-- for it (VGG's deeper nets start from the trained shallow one).

-- AlterTable
ALTER TABLE "Experiment" ADD COLUMN "waitsFor" UUID;

-- CreateIndex
CREATE INDEX "Experiment_waitsFor_idx" ON "Experiment"("waitsFor");

-- AddForeignKey (hand-written: deferrable, since a grid's experiments are inserted in chunks and a
-- dependant may come before its source).
ALTER TABLE "Experiment" ADD CONSTRAINT "Experiment_waitsFor_fkey" FOREIGN KEY ("waitsFor")
  REFERENCES "Experiment"("id") ON DELETE SET NULL ON UPDATE CASCADE DEFERRABLE INITIALLY DEFERRED;

-- What a source's end means for the experiments waiting for it, in the transaction that ends it,
-- whichever path ends it (a worker's finish, the queue giving up, a cancel), so that a crash or a
-- restart between the two cannot lose it:
-- - succeeded or stopped (its checkpoints are final): each queued dependant gets its outbox entry,
--   and the relay queues it. Whatever its grid's state: a paused grid's worker skips the job and
--   the resume replaces it, as for every queued member (checking the grid here could miss a resume
--   committing at the same moment, and nothing would queue the dependant afterwards).
-- - failed or cancelled: each queued dependant fails, saying why (the transition table's
--   `abandon`, queued -> failed); its own dependants follow through this same trigger.
CREATE FUNCTION "experiment_sources_ended"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  -- Most updates (progress, heartbeats of an attempt) end nothing; a statement fires its trigger
  -- even when it changed no row, so the UPDATE below would recurse without this check.
  IF NOT EXISTS (
    SELECT 1 FROM after_rows n JOIN before_rows o ON o.id = n.id
    WHERE o."status" IS DISTINCT FROM n."status" AND n."status" IN ('succeeded', 'stopped', 'failed', 'cancelled')
  ) THEN
    RETURN NULL;
  END IF;

  INSERT INTO "OutboxEntry" ("experimentId", kind, payload)
  SELECT e.id, 'train', jsonb_build_object('priority', e.priority)
  FROM after_rows n
  JOIN before_rows o ON o.id = n.id AND o."status" IS DISTINCT FROM n."status"
  JOIN "Experiment" e ON e."waitsFor" = n.id
  WHERE n."status" IN ('succeeded', 'stopped') AND e."status" = 'queued' AND NOT e."cancelRequested"
    AND NOT EXISTS (SELECT 1 FROM "OutboxEntry" x WHERE x."experimentId" = e.id);

  UPDATE "Experiment" e SET "status" = 'failed', "finishedAt" = now(), "updatedAt" = now(),
    "error" = 'its warm-start source ' || n.id || ' ' || n."status"::text || coalesce(': ' || n."error", '')
  FROM after_rows n
  JOIN before_rows o ON o.id = n.id AND o."status" IS DISTINCT FROM n."status"
  WHERE e."waitsFor" = n.id AND n."status" IN ('failed', 'cancelled') AND e."status" = 'queued';
  RETURN NULL;
END;
$$;

-- Statement-level with transition tables: a grid cancel ending 10,000 experiments is one join,
-- not 10,000 lookups; the UPDATE above fires it again for the next generation of dependants.
CREATE TRIGGER "Experiment_sources_ended" AFTER UPDATE ON "Experiment"
  REFERENCING OLD TABLE AS before_rows NEW TABLE AS after_rows
  FOR EACH STATEMENT EXECUTE FUNCTION "experiment_sources_ended"();
