-- +goose Up
-- Inbound messages are stored first and handled after, in the order they arrived, one
-- conversation at a time. The unique key makes a redelivered message a no-op.
CREATE TABLE inbox (
    id              bigserial PRIMARY KEY,
    conversation_id bigint      NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    inbound_id      text        NOT NULL,
    payload         jsonb       NOT NULL,
    received_at     timestamptz NOT NULL DEFAULT now(),
    handled_at      timestamptz,
    UNIQUE (conversation_id, inbound_id)
);
CREATE INDEX inbox_pending ON inbox (conversation_id, id) WHERE handled_at IS NULL;

-- The job queue: claimed with FOR UPDATE SKIP LOCKED; a job whose lease expired is
-- claimed again (its worker died).
CREATE TABLE jobs (
    id              bigserial PRIMARY KEY,
    kind            text        NOT NULL,
    conversation_id bigint      REFERENCES conversations (id) ON DELETE CASCADE,
    payload         jsonb       NOT NULL DEFAULT '{}',
    run_at          timestamptz NOT NULL DEFAULT now(),
    attempts        int         NOT NULL DEFAULT 0,
    leased_until    timestamptz,
    done_at         timestamptz,
    last_error      text        NOT NULL DEFAULT '',
    created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX jobs_ready ON jobs (kind, run_at) WHERE done_at IS NULL;

CREATE TABLE plans (
    id              bigserial PRIMARY KEY,
    conversation_id bigint      REFERENCES conversations (id) ON DELETE CASCADE,
    version         int         NOT NULL,
    request_id      text        NOT NULL DEFAULT '',
    plan            jsonb       NOT NULL,
    source          text        NOT NULL DEFAULT '',
    created_at      timestamptz NOT NULL DEFAULT now(),
    UNIQUE (conversation_id, version)
);

CREATE TABLE emergencies (
    id              bigserial PRIMARY KEY,
    conversation_id bigint      NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    text            text        NOT NULL DEFAULT '',
    created_at      timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE feedback (
    id              bigserial PRIMARY KEY,
    conversation_id bigint      NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    rating          int         CHECK (rating BETWEEN 1 AND 5),
    comment         text        NOT NULL DEFAULT '',
    created_at      timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE subscriptions (
    traveller_id bigint      PRIMARY KEY REFERENCES travellers (id) ON DELETE CASCADE,
    types        text[]      NOT NULL DEFAULT '{feature,performance,security,ui,maintenance,downtime}',
    created_at   timestamptz NOT NULL DEFAULT now()
);

-- +goose Down
DROP TABLE subscriptions;
DROP TABLE feedback;
DROP TABLE emergencies;
DROP TABLE plans;
DROP TABLE jobs;
DROP TABLE inbox;
