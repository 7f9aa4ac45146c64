-- +goose Up
-- One row per day of scheduled backups: the instance that inserts (or takes over, once
-- the lease of one that died has run out) the day's row is the one that takes its backup.
CREATE TABLE backup_runs (
    day         date        PRIMARY KEY,
    instance    text        NOT NULL,
    started_at  timestamptz NOT NULL,
    lease_until timestamptz NOT NULL,
    attempts    int         NOT NULL DEFAULT 1,
    finished_at timestamptz,
    file        text        NOT NULL DEFAULT '',
    bytes       bigint      NOT NULL DEFAULT 0,
    last_error  text        NOT NULL DEFAULT ''
);

-- +goose Down
DROP TABLE backup_runs;
