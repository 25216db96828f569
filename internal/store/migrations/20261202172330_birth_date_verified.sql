-- Modify "personal_infos" table
ALTER TABLE "personal_infos" ADD COLUMN "birth_date_verified_at" timestamptz NULL, ADD COLUMN "birth_date_verified_by_id" bigint NULL, ADD CONSTRAINT "personal_infos_residents_birth_date_verified_by" FOREIGN KEY ("birth_date_verified_by_id") REFERENCES "residents" ("id") ON UPDATE NO ACTION ON DELETE SET NULL;
