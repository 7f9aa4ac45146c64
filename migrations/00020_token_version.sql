-- +goose Up
-- Access tokens carry the account's token version; logout, a reused refresh token, a new
-- password or a disable raise it, and every access token issued before stops working at
-- once instead of at its expiry.
ALTER TABLE accounts ADD COLUMN token_version int NOT NULL DEFAULT 0;

-- +goose Down
ALTER TABLE accounts DROP COLUMN token_version;
