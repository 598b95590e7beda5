-- Per grid, seed group, metric and epoch: the mean, sample std and count over the group's members,
-- kept current by triggers so that a grid's grouped learning curves (GET /v1/grids/:id/curves
-- ?by=group) read a few thousand finished rows instead of aggregating every member's metric rows
-- on each request (100,000 rows for a grid of 1,000 experiments x 100 epochs, about a second on
-- two cores).

-- CreateTable
CREATE TABLE "GroupCurve" (
    "gridId" UUID NOT NULL,
    "split" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "groupKey" TEXT NOT NULL,
    "epoch" INTEGER NOT NULL,
    "mean" DOUBLE PRECISION NOT NULL,
    "std" DOUBLE PRECISION NOT NULL,
    "n" INTEGER NOT NULL,

    CONSTRAINT "GroupCurve_pkey" PRIMARY KEY ("gridId","split","name","groupKey","epoch")
);

-- AddForeignKey
ALTER TABLE "GroupCurve" ADD CONSTRAINT "GroupCurve_gridId_fkey" FOREIGN KEY ("gridId") REFERENCES "Grid"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- CreateIndex: a group's members, for recomputing one group's point.
CREATE INDEX "GridMember_gridId_groupKey_idx" ON "GridMember"("gridId", "groupKey");

-- Upkeep (hand-written: Prisma's schema language has no triggers). Each statement on Metric
-- recomputes, from Metric itself, the (grid, group, split, name, epoch) points whose rows it
-- touched: exact (the same avg and stddev_samp as before), whatever mix of inserts, replayed
-- epochs (ON CONFLICT DO UPDATE) and deletes (a resumed attempt drops epochs after its checkpoint)
-- came before. Members of one group train concurrently in different workers, so each statement
-- first takes a transaction lock per grid touched (in a fixed order, so two statements cannot
-- deadlock); under READ COMMITTED the recompute that follows sees whatever the previous holder
-- committed, and no point is computed from a snapshot missing a concurrent member's value.
CREATE FUNCTION "group_curve_refresh"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_advisory_xact_lock(hashtextextended('group_curve:' || g."gridId"::text, 0))
  FROM (SELECT DISTINCT gm."gridId" FROM changed c JOIN "GridMember" gm ON gm."experimentId" = c."experimentId"
        ORDER BY gm."gridId") g;

  DELETE FROM "GroupCurve" gc
  USING (SELECT DISTINCT gm."gridId", gm."groupKey", c."split", c."name", c."epoch"
         FROM changed c JOIN "GridMember" gm ON gm."experimentId" = c."experimentId") t
  WHERE gc."gridId" = t."gridId" AND gc."split" = t."split" AND gc."name" = t."name"
    AND gc."groupKey" = t."groupKey" AND gc."epoch" = t."epoch";

  INSERT INTO "GroupCurve" ("gridId", "split", "name", "groupKey", "epoch", "mean", "std", "n")
  SELECT t."gridId", t."split", t."name", t."groupKey", t."epoch",
         avg(m."value")::float8, coalesce(stddev_samp(m."value"), 0)::float8, count(*)::int
  FROM (SELECT DISTINCT gm."gridId", gm."groupKey", c."split", c."name", c."epoch"
        FROM changed c JOIN "GridMember" gm ON gm."experimentId" = c."experimentId") t
  JOIN "GridMember" gm ON gm."gridId" = t."gridId" AND gm."groupKey" = t."groupKey"
  JOIN "Metric" m ON m."experimentId" = gm."experimentId" AND m."split" = t."split"
                 AND m."name" = t."name" AND m."epoch" = t."epoch"
  GROUP BY t."gridId", t."split", t."name", t."groupKey", t."epoch";
  RETURN NULL;
END;
$$;

CREATE TRIGGER "Metric_group_curve_insert" AFTER INSERT ON "Metric"
  REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION "group_curve_refresh"();
CREATE TRIGGER "Metric_group_curve_update" AFTER UPDATE ON "Metric"
  REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION "group_curve_refresh"();
CREATE TRIGGER "Metric_group_curve_delete" AFTER DELETE ON "Metric"
  REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION "group_curve_refresh"();

-- A grid that reuses earlier results (succeeded experiments, whose metrics no longer change) gets
-- their points when its members are inserted; its fresh members have no metrics yet. The grid is not visible to anyone else before this
-- statement commits, so no lock is needed.
CREATE FUNCTION "group_curve_add_members"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO "GroupCurve" ("gridId", "split", "name", "groupKey", "epoch", "mean", "std", "n")
  SELECT a."gridId", m."split", m."name", a."groupKey", m."epoch",
         avg(m."value")::float8, coalesce(stddev_samp(m."value"), 0)::float8, count(*)::int
  FROM (SELECT DISTINCT "gridId", "groupKey" FROM added WHERE reused) k
  JOIN "GridMember" a ON a."gridId" = k."gridId" AND a."groupKey" = k."groupKey"
  JOIN "Metric" m ON m."experimentId" = a."experimentId"
  GROUP BY a."gridId", m."split", m."name", a."groupKey", m."epoch"
  ON CONFLICT ("gridId", "split", "name", "groupKey", "epoch") DO UPDATE SET
    "mean" = EXCLUDED."mean", "std" = EXCLUDED."std", "n" = EXCLUDED."n";
  RETURN NULL;
END;
$$;

CREATE TRIGGER "GridMember_group_curve_insert" AFTER INSERT ON "GridMember"
  REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION "group_curve_add_members"();

-- Metrics recorded before this migration.
INSERT INTO "GroupCurve" ("gridId", "split", "name", "groupKey", "epoch", "mean", "std", "n")
SELECT gm."gridId", m."split", m."name", gm."groupKey", m."epoch",
       avg(m."value")::float8, coalesce(stddev_samp(m."value"), 0)::float8, count(*)::int
FROM "GridMember" gm JOIN "Metric" m ON m."experimentId" = gm."experimentId"
GROUP BY gm."gridId", m."split", m."name", gm."groupKey", m."epoch";
