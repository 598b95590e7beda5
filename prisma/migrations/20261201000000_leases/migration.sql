-- AlterTable
ALTER TABLE "Experiment" ALTER COLUMN "priority" DROP NOT NULL,
ALTER COLUMN "priority" DROP DEFAULT;

-- A single experiment has no priority (it was stored as 0).
UPDATE "Experiment" SET "priority" = NULL WHERE "gridId" IS NULL;

-- Outbox entries carry the experiment's API priority now (the relay maps it to the queue's own
-- scale); pending ones held the queue's number.
UPDATE "OutboxEntry" o SET "payload" = jsonb_build_object('priority', e."priority")
FROM "Experiment" e WHERE e."id" = o."experimentId";

-- AlterTable
ALTER TABLE "Metric" ADD COLUMN     "lease" INTEGER NOT NULL DEFAULT 0;

-- AlterTable
ALTER TABLE "Checkpoint" ADD COLUMN     "complete" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "lease" INTEGER NOT NULL DEFAULT 0,
ALTER COLUMN "size" SET DATA TYPE BIGINT;

-- Checkpoints stored before this migration were written in one transaction: all complete.
UPDATE "Checkpoint" SET "complete" = true;

-- MetricSummary upkeep on DELETE (hand-written, as the insert/update triggers): a resumed attempt
-- removes the metrics of epochs after its checkpoint; the summaries of what a statement deleted are
-- recomputed from the rows that remain, and dropped where none remain.
CREATE FUNCTION "metric_summary_after_delete"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM "MetricSummary" s
  USING (SELECT DISTINCT "experimentId", "split", "name" FROM removed) r
  WHERE s."experimentId" = r."experimentId" AND s."split" = r."split" AND s."name" = r."name";
  INSERT INTO "MetricSummary" ("experimentId", "split", "name", "lastEpoch", "lastValue", "minValue", "minEpoch", "maxValue", "maxEpoch", "epochs")
  SELECT m."experimentId", m."split", m."name",
         max(m."epoch"),
         (array_agg(m."value" ORDER BY m."epoch" DESC))[1],
         min(m."value"),
         (array_agg(m."epoch" ORDER BY m."value" ASC, m."epoch" ASC))[1],
         max(m."value"),
         (array_agg(m."epoch" ORDER BY m."value" DESC, m."epoch" ASC))[1],
         count(*)::int
  FROM "Metric" m
  JOIN (SELECT DISTINCT "experimentId", "split", "name" FROM removed) r
    ON r."experimentId" = m."experimentId" AND r."split" = m."split" AND r."name" = m."name"
  GROUP BY m."experimentId", m."split", m."name";
  RETURN NULL;
END;
$$;

CREATE TRIGGER "Metric_summary_delete" AFTER DELETE ON "Metric"
  REFERENCING OLD TABLE AS removed FOR EACH STATEMENT EXECUTE FUNCTION "metric_summary_after_delete"();
