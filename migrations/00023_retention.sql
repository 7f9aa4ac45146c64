-- +goose Up
-- Personal data is kept while a traveller is active (XINGQU_RETENTION, a year by
-- default): last_seen_at is when they last wrote, on any channel.
ALTER TABLE travellers ADD COLUMN last_seen_at timestamptz NOT NULL DEFAULT now();
UPDATE travellers t SET last_seen_at = greatest(t.created_at,
    (SELECT max(c.updated_at) FROM conversations c WHERE c.traveller_id = t.id));
CREATE INDEX travellers_last_seen ON travellers (last_seen_at);

-- What the deleted travellers add up to, by the month they first wrote and channel, so
-- that totals and satisfaction over time survive the deletion of who said what.
CREATE TABLE retired_totals (
    month         date   NOT NULL,
    channel       text   NOT NULL,
    travellers    bigint NOT NULL DEFAULT 0,
    conversations bigint NOT NULL DEFAULT 0,
    messages      bigint NOT NULL DEFAULT 0,
    emergencies   bigint NOT NULL DEFAULT 0,
    feedback      bigint NOT NULL DEFAULT 0,
    ratings       bigint NOT NULL DEFAULT 0,
    rating_sum    bigint NOT NULL DEFAULT 0,
    PRIMARY KEY (month, channel)
);

-- +goose Down
DROP TABLE retired_totals;
DROP INDEX travellers_last_seen;
ALTER TABLE travellers DROP COLUMN last_seen_at;
