-- +goose Up
-- Rows with an expiry: weather and geocoding answers, so that identical look-ups across
-- instances and restarts do not reach the providers again.
CREATE TABLE cache (
    key        text        PRIMARY KEY,
    value      bytea       NOT NULL,
    expires_at timestamptz NOT NULL
);
CREATE INDEX cache_expiry ON cache (expires_at);

-- Plans made through the recommendations API belong to the token that asked.
ALTER TABLE plans ADD COLUMN owner text NOT NULL DEFAULT '';
ALTER TABLE plans ADD COLUMN request jsonb;
CREATE UNIQUE INDEX plans_request ON plans (request_id) WHERE request_id <> '';

-- +goose Down
DROP INDEX plans_request;
ALTER TABLE plans DROP COLUMN request;
ALTER TABLE plans DROP COLUMN owner;
DROP TABLE cache;
