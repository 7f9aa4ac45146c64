-- +goose Up
-- Everything sent to a channel goes through the outbox: rows are written in the same
-- transaction as the turn that produced them, so a reply exists if and only if the turn
-- committed. A row is marked 'sending' in a transaction of its own before the request
-- leaves; a row still 'sending' when a new sender takes over may or may not have been
-- delivered and becomes 'unknown' instead of being sent twice.
CREATE TABLE outbox (
    id              bigserial PRIMARY KEY,
    channel         text        NOT NULL DEFAULT 'telegram',
    traveller_id    bigint      REFERENCES travellers (id) ON DELETE CASCADE,
    conversation_id bigint      REFERENCES conversations (id) ON DELETE CASCADE,
    chat_id         text        NOT NULL,
    is_group        boolean     NOT NULL DEFAULT false,
    method          text        NOT NULL,           -- Bot API method: sendMessage, editMessageText, ...
    params          jsonb       NOT NULL DEFAULT '{}',
    edit_of         bigint      REFERENCES outbox (id) ON DELETE SET NULL, -- the row whose message this edits
    dedupe_key      text,
    state           text        NOT NULL DEFAULT 'pending'
                    CHECK (state IN ('pending', 'sending', 'sent', 'failed', 'blocked', 'unknown')),
    attempts        int         NOT NULL DEFAULT 0,
    not_before      timestamptz NOT NULL DEFAULT now(),
    last_error      text        NOT NULL DEFAULT '',
    message_id      bigint,                           -- the channel's id of the sent message
    created_at      timestamptz NOT NULL DEFAULT now(),
    sending_at      timestamptz,
    done_at         timestamptz
);
CREATE INDEX outbox_due ON outbox (channel, id) WHERE state = 'pending';
CREATE INDEX outbox_sending ON outbox (channel) WHERE state = 'sending';
CREATE INDEX outbox_chat ON outbox (channel, chat_id, id);
CREATE UNIQUE INDEX outbox_dedupe ON outbox (channel, dedupe_key) WHERE dedupe_key IS NOT NULL;

-- Raw Telegram updates, stored before they are acknowledged (webhook 200, poll offset)
-- and processed after. update_id is unique per bot, so a redelivery is a no-op.
CREATE TABLE telegram_updates (
    update_id    bigint      PRIMARY KEY,
    chat_id      text        NOT NULL DEFAULT '',
    payload      jsonb       NOT NULL,
    received_at  timestamptz NOT NULL DEFAULT now(),
    leased_until timestamptz,
    attempts     int         NOT NULL DEFAULT 0,
    processed_at timestamptz,
    outcome      text        NOT NULL DEFAULT '' -- what was done with it: 'message', 'blocked', 'ignored: ...'
);
CREATE INDEX telegram_updates_pending ON telegram_updates (chat_id, update_id) WHERE processed_at IS NULL;

-- Small key/value state of the channel: the polling offset.
CREATE TABLE telegram_state (
    key   text   PRIMARY KEY,
    value bigint NOT NULL
);

-- callback_data is limited to 64 bytes; a longer button action is stored here and the
-- button carries its id.
CREATE TABLE telegram_callbacks (
    id         bigserial PRIMARY KEY,
    action     text        NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);

-- +goose Down
DROP TABLE telegram_callbacks;
DROP TABLE telegram_state;
DROP TABLE telegram_updates;
DROP TABLE outbox;
