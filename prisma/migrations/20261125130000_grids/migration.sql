-- CreateEnum
CREATE TYPE "GridStatus" AS ENUM ('active', 'paused', 'cancelled');

-- AlterTable
ALTER TABLE "Experiment" ADD COLUMN     "gridId" UUID,
ADD COLUMN     "priority" INTEGER NOT NULL DEFAULT 0;

-- CreateTable
CREATE TABLE "Grid" (
    "id" UUID NOT NULL,
    "name" TEXT,
    "preset" TEXT,
    "definition" JSONB NOT NULL,
    "axes" TEXT[],
    "priority" INTEGER NOT NULL DEFAULT 500,
    "status" "GridStatus" NOT NULL DEFAULT 'active',
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Grid_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "GridMember" (
    "gridId" UUID NOT NULL,
    "experimentId" UUID NOT NULL,
    "index" INTEGER NOT NULL,
    "point" JSONB NOT NULL,
    "groupKey" TEXT NOT NULL,
    "reused" BOOLEAN NOT NULL DEFAULT false,

    CONSTRAINT "GridMember_pkey" PRIMARY KEY ("gridId","experimentId")
);

-- CreateTable
CREATE TABLE "MetricSummary" (
    "experimentId" UUID NOT NULL,
    "split" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "lastEpoch" INTEGER NOT NULL,
    "lastValue" DOUBLE PRECISION NOT NULL,
    "minValue" DOUBLE PRECISION NOT NULL,
    "minEpoch" INTEGER NOT NULL,
    "maxValue" DOUBLE PRECISION NOT NULL,
    "maxEpoch" INTEGER NOT NULL,
    "epochs" INTEGER NOT NULL,

    CONSTRAINT "MetricSummary_pkey" PRIMARY KEY ("experimentId","split","name")
);

-- CreateIndex
CREATE INDEX "GridMember_experimentId_idx" ON "GridMember"("experimentId");

-- CreateIndex
CREATE INDEX "Experiment_gridId_status_idx" ON "Experiment"("gridId", "status");

-- AddForeignKey
ALTER TABLE "Experiment" ADD CONSTRAINT "Experiment_gridId_fkey" FOREIGN KEY ("gridId") REFERENCES "Grid"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "GridMember" ADD CONSTRAINT "GridMember_gridId_fkey" FOREIGN KEY ("gridId") REFERENCES "Grid"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "GridMember" ADD CONSTRAINT "GridMember_experimentId_fkey" FOREIGN KEY ("experimentId") REFERENCES "Experiment"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "MetricSummary" ADD CONSTRAINT "MetricSummary_experimentId_fkey" FOREIGN KEY ("experimentId") REFERENCES "Experiment"("id") ON DELETE CASCADE ON UPDATE CASCADE;


-- MetricSummary upkeep (hand-written: Prisma's schema language has no triggers). Statement-level
-- triggers with transition tables recompute the summary of every (experiment, split, name) a
-- statement touched from Metric itself, so a replayed epoch (ON CONFLICT DO UPDATE) stays exact and
-- a bulk insert of a million rows costs one aggregation instead of a million row triggers.
CREATE FUNCTION "metric_summary_refresh"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
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
  JOIN (SELECT DISTINCT "experimentId", "split", "name" FROM changed) c
    ON c."experimentId" = m."experimentId" AND c."split" = m."split" AND c."name" = m."name"
  GROUP BY m."experimentId", m."split", m."name"
  ON CONFLICT ("experimentId", "split", "name") DO UPDATE SET
    "lastEpoch" = EXCLUDED."lastEpoch", "lastValue" = EXCLUDED."lastValue",
    "minValue" = EXCLUDED."minValue", "minEpoch" = EXCLUDED."minEpoch",
    "maxValue" = EXCLUDED."maxValue", "maxEpoch" = EXCLUDED."maxEpoch",
    "epochs" = EXCLUDED."epochs";
  RETURN NULL;
END;
$$;

CREATE TRIGGER "Metric_summary_insert" AFTER INSERT ON "Metric"
  REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION "metric_summary_refresh"();
CREATE TRIGGER "Metric_summary_update" AFTER UPDATE ON "Metric"
  REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION "metric_summary_refresh"();

-- Metrics recorded before this migration.
INSERT INTO "MetricSummary" ("experimentId", "split", "name", "lastEpoch", "lastValue", "minValue", "minEpoch", "maxValue", "maxEpoch", "epochs")
SELECT "experimentId", "split", "name", max("epoch"),
       (array_agg("value" ORDER BY "epoch" DESC))[1], min("value"),
       (array_agg("epoch" ORDER BY "value" ASC, "epoch" ASC))[1], max("value"),
       (array_agg("epoch" ORDER BY "value" DESC, "epoch" ASC))[1], count(*)::int
FROM "Metric" GROUP BY "experimentId", "split", "name";
