-- +goose Up
-- Queues are read in id order; without an index on the pending rows alone, "the oldest
-- unprocessed update" walks the primary key through every update ever processed.
CREATE INDEX telegram_updates_unprocessed ON telegram_updates (update_id) WHERE processed_at IS NULL;
-- The sweeper and a restart look for the oldest messages not handled yet, by age.
CREATE INDEX inbox_unhandled ON inbox (received_at) WHERE handled_at IS NULL;

-- +goose Down
DROP INDEX inbox_unhandled;
DROP INDEX telegram_updates_unprocessed;
