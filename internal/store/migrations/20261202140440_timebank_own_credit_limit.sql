-- Modify "time_accounts" table
ALTER TABLE "time_accounts" DROP COLUMN "credit_limit", ADD COLUMN "own_credit_limit" bigint NULL;
