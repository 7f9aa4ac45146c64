-- +goose Up
-- A case follows an emergency or a request for a human from the moment it is raised
-- until an agent resolves it. The traveller can ask about it at any time ("/case"); a
-- traveller saying they are safe is recorded on it but never closes it.
CREATE TABLE cases (
    id              bigserial PRIMARY KEY,
    conversation_id bigint      NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    kind            text        NOT NULL CHECK (kind IN ('emergency', 'human')),
    category        text        NOT NULL DEFAULT '',   -- the emergency's category; '' for a request for a human
    priority        text        NOT NULL CHECK (priority IN ('urgent', 'normal')),
    status          text        NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'acknowledged', 'in_progress', 'resolved')),
    agent_id        bigint      REFERENCES accounts (id) ON DELETE SET NULL, -- who holds it
    summary         text        NOT NULL DEFAULT '',   -- the traveller's words that raised it
    country         text        NOT NULL DEFAULT '',   -- ISO 3166-1 alpha-2 where the traveller is, when known
    safe_at         timestamptz,                       -- the traveller said they are safe
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    acknowledged_at timestamptz,
    resolved_at     timestamptz
);
-- One open case per conversation: a second emergency or request adds to the first.
CREATE UNIQUE INDEX cases_open ON cases (conversation_id) WHERE status <> 'resolved';
-- The agents' queue reads only open cases, urgent first, oldest first.
CREATE INDEX cases_queue ON cases ((priority = 'urgent') DESC, created_at) WHERE status <> 'resolved';
CREATE INDEX cases_conversation ON cases (conversation_id, id DESC);

CREATE TABLE case_notes (
    id         bigserial PRIMARY KEY,
    case_id    bigint      NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    author     text        NOT NULL CHECK (author IN ('agent', 'traveller', 'system')),
    agent_id   bigint      REFERENCES accounts (id) ON DELETE SET NULL,
    text       text        NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX case_notes_case ON case_notes (case_id, id DESC);

-- Feedback keeps the words that started it (a complaint said in passing), is classified
-- and prioritised, and is marked handled with the reply the traveller was sent.
ALTER TABLE feedback
    ADD COLUMN opening    text        NOT NULL DEFAULT '',
    ADD COLUMN category   text        NOT NULL DEFAULT '',
    ADD COLUMN priority   text        NOT NULL DEFAULT '',
    ADD COLUMN status     text        NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'handled')),
    ADD COLUMN reply      text        NOT NULL DEFAULT '',
    ADD COLUMN handled_by bigint      REFERENCES accounts (id) ON DELETE SET NULL,
    ADD COLUMN handled_at timestamptz;
CREATE INDEX feedback_created ON feedback (created_at);
CREATE INDEX feedback_open_high ON feedback (created_at) WHERE status = 'open' AND priority = 'high';

-- +goose Down
DROP INDEX feedback_open_high;
DROP INDEX feedback_created;
ALTER TABLE feedback
    DROP COLUMN handled_at,
    DROP COLUMN handled_by,
    DROP COLUMN reply,
    DROP COLUMN status,
    DROP COLUMN priority,
    DROP COLUMN category,
    DROP COLUMN opening;
DROP TABLE case_notes;
DROP TABLE cases;
