-- +goose Up
-- Agents and admins of the console. No default account exists: `xingqu user add` makes one.
CREATE TABLE accounts (
    id            bigserial PRIMARY KEY,
    username      text        NOT NULL UNIQUE,
    password_hash text        NOT NULL,
    role          text        NOT NULL CHECK (role IN ('agent', 'admin')),
    disabled      boolean     NOT NULL DEFAULT false,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now()
);

-- Refresh tokens are stored as SHA-256 hashes and rotated on every use; a token presented
-- a second time means it leaked, and its whole family is revoked.
CREATE TABLE refresh_tokens (
    id          bigserial PRIMARY KEY,
    account_id  bigint      NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    family      uuid        NOT NULL,
    token_hash  bytea       NOT NULL UNIQUE,
    expires_at  timestamptz NOT NULL,
    used_at     timestamptz,
    revoked_at  timestamptz,
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX refresh_tokens_family ON refresh_tokens (family);

-- Failed logins counted per key ('user:<name>' whether or not the account exists, and
-- 'ip:<address>'), shared by every instance.
CREATE TABLE login_throttle (
    key          text        PRIMARY KEY,
    failures     int         NOT NULL DEFAULT 0,
    window_start timestamptz NOT NULL DEFAULT now(),
    locked_until timestamptz
);

-- The key that signs access tokens, made once and shared by every instance.
CREATE TABLE signing_keys (
    id         int         PRIMARY KEY,
    secret     bytea       NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);

-- A widget visitor's session; the token is kept in the browser and stored here hashed.
CREATE TABLE widget_sessions (
    id              uuid        PRIMARY KEY,
    token_hash      bytea       NOT NULL UNIQUE,
    traveller_id    bigint      NOT NULL REFERENCES travellers (id) ON DELETE CASCADE,
    conversation_id bigint      NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    created_at      timestamptz NOT NULL DEFAULT now(),
    expires_at      timestamptz NOT NULL
);

-- Who has taken a conversation over: at most one agent at a time.
ALTER TABLE conversations ADD COLUMN agent_id bigint REFERENCES accounts (id) ON DELETE SET NULL;
ALTER TABLE conversations ADD COLUMN agent_since timestamptz;

-- +goose Down
ALTER TABLE conversations DROP COLUMN agent_since;
ALTER TABLE conversations DROP COLUMN agent_id;
DROP TABLE widget_sessions;
DROP TABLE signing_keys;
DROP TABLE login_throttle;
DROP TABLE refresh_tokens;
DROP TABLE accounts;
