-- +goose Up
-- A message whose turn keeps failing is given up after a few attempts, so that it cannot
-- block the messages behind it.
ALTER TABLE inbox ADD COLUMN attempts int NOT NULL DEFAULT 0;

-- +goose Down
ALTER TABLE inbox DROP COLUMN attempts;
