-- +goose Up
-- Queues are read in id order; without an index on the pending rows alone, "the oldest
-- unprocessed update" walks the primary key through every update ever processed.
CREATE INDEX telegram_updates_unprocessed ON telegram_updates (update_id) WHERE processed_at IS NULL;
-- A "working on it" notice the plan made needless is deleted in the plan's turn, and
-- the foreign key from edits would otherwise scan the whole outbox for each.
CREATE INDEX outbox_edit_of ON outbox (edit_of) WHERE edit_of IS NOT NULL;

-- +goose Down
DROP INDEX outbox_edit_of;
DROP INDEX telegram_updates_unprocessed;
