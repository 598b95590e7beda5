-- Per experiment, the last epoch's per-image test scores (softmax, centre protocol) and labels:
-- what an ensemble of experiments averages (GET /v1/compare/ensemble). Written by the attempt
-- holding the lease, replaced by a later attempt's.

-- CreateTable
CREATE TABLE "TestScores" (
    "experimentId" UUID NOT NULL,
    "epoch" INTEGER NOT NULL,
    "classes" INTEGER NOT NULL,
    "count" INTEGER NOT NULL,
    "labels" BYTEA NOT NULL,
    "probabilities" BYTEA NOT NULL,
    "lease" INTEGER NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "TestScores_pkey" PRIMARY KEY ("experimentId")
);

-- AddForeignKey
ALTER TABLE "TestScores" ADD CONSTRAINT "TestScores_experimentId_fkey" FOREIGN KEY ("experimentId") REFERENCES "Experiment"("id") ON DELETE CASCADE ON UPDATE CASCADE;
