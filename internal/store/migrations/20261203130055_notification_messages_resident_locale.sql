-- Modify "notifications" table
ALTER TABLE "notifications" ALTER COLUMN "title" SET DEFAULT '', ADD COLUMN "message_key" character varying NULL, ADD COLUMN "params" jsonb NULL;
-- Modify "residents" table
ALTER TABLE "residents" ADD COLUMN "locale" character varying NOT NULL DEFAULT 'zh-Hans';
