-- +goose Up
CREATE TABLE travellers (
    id           bigserial PRIMARY KEY,
    channel      text        NOT NULL,          -- 'telegram', 'web', 'cli'
    external_id  text        NOT NULL,          -- chat id, widget session id
    display_name text        NOT NULL DEFAULT '',
    lang         text        NOT NULL DEFAULT '',
    time_zone    text        NOT NULL DEFAULT '',
    reachable    boolean     NOT NULL DEFAULT true,
    created_at   timestamptz NOT NULL DEFAULT now(),
    UNIQUE (channel, external_id)
);

CREATE TABLE conversations (
    id             bigserial PRIMARY KEY,
    traveller_id   bigint      NOT NULL REFERENCES travellers (id) ON DELETE CASCADE,
    state          text        NOT NULL DEFAULT 'start',
    prev_state     text        NOT NULL DEFAULT '',
    status         text        NOT NULL DEFAULT 'bot' CHECK (status IN ('bot', 'waiting', 'human')),
    priority       int         NOT NULL DEFAULT 0,
    lang           text        NOT NULL DEFAULT '',
    slots          jsonb       NOT NULL DEFAULT '{}',
    data           jsonb       NOT NULL DEFAULT '{}', -- engine bookkeeping that is not a slot
    waiting_since  timestamptz,
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX conversations_traveller ON conversations (traveller_id, id DESC);
CREATE INDEX conversations_waiting ON conversations (priority DESC, waiting_since) WHERE status = 'waiting';

-- The transcript: every inbound and outbound message.
CREATE TABLE messages (
    id              bigserial PRIMARY KEY,
    conversation_id bigint      NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    role            text        NOT NULL CHECK (role IN ('traveller', 'bot', 'agent', 'system')),
    text            text        NOT NULL DEFAULT '',
    body            jsonb       NOT NULL DEFAULT '{}', -- buttons, plan card, notice kind
    inbound_id      text,                              -- the channel's id for an inbound message
    created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX messages_conversation ON messages (conversation_id, id);
-- A redelivered inbound message must change nothing.
CREATE UNIQUE INDEX messages_inbound ON messages (conversation_id, inbound_id) WHERE inbound_id IS NOT NULL;

-- +goose Down
DROP TABLE messages;
DROP TABLE conversations;
DROP TABLE travellers;
