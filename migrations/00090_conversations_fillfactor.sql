-- +goose Up
-- A conversation is rewritten on every turn. Room left on each page lets the new row go
-- beside the old one as a heap-only update, with no new index entries, whenever no
-- indexed column changed (store: updated_at moves at most once a minute).
ALTER TABLE conversations SET (fillfactor = 80);

-- +goose Down
ALTER TABLE conversations RESET (fillfactor);
