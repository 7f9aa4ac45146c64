-- +goose Up
-- Edits of a plan made through the recommendations API: each edit is a new row of plans
-- naming the request it edits, so that no version is rewritten.
ALTER TABLE plans ADD COLUMN edit_of text NOT NULL DEFAULT '';
CREATE INDEX plans_edit_of ON plans (edit_of, version) WHERE edit_of <> '';

-- +goose Down
DROP INDEX plans_edit_of;
ALTER TABLE plans DROP COLUMN edit_of;
