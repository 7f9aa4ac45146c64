-- +goose Up
-- A model's reading of a message the parsers could not fully read, made once for every
-- instance: the first to claim the row asks the model, the others wait for its answer.
CREATE TABLE inbox_readings (
    inbox_id   bigint      PRIMARY KEY REFERENCES inbox (id) ON DELETE CASCADE,
    claimed_at timestamptz NOT NULL DEFAULT now(),
    done       boolean     NOT NULL DEFAULT false,
    reading    jsonb                               -- null: the model had nothing, or failed
);

-- +goose Down
DROP TABLE inbox_readings;
