-- +goose Up
-- Fixed-window counters shared by every instance: messages per traveller per minute,
-- new widget sessions per client address per hour.
CREATE TABLE rate_counts (
    key          text        PRIMARY KEY,
    window_start timestamptz NOT NULL,
    count        int         NOT NULL
);
CREATE INDEX rate_counts_window ON rate_counts (window_start);

-- +goose Down
DROP TABLE rate_counts;
