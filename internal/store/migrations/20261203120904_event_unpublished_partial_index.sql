-- Drop index "event_published_at_seq" from table: "events"
DROP INDEX "event_published_at_seq";
-- Create index "event_unpublished" to table: "events"
CREATE INDEX "event_unpublished" ON "events" ("id") WHERE (published_at IS NULL);
