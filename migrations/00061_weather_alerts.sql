-- +goose Up
-- One warning per conversation, trip day and hazard, however many checks and instances
-- see the same forecast; claimed in the transaction that queues the message.
CREATE TABLE weather_alerts (
    id              bigserial PRIMARY KEY,
    conversation_id bigint      NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    day             date        NOT NULL,
    hazard          text        NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    UNIQUE (conversation_id, day, hazard)
);

-- A job that runs once a day across all instances claims its day here.
CREATE TABLE daily_runs (
    name       text        NOT NULL,
    day        date        NOT NULL,
    instance   text        NOT NULL DEFAULT '',
    started_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (name, day)
);

-- Travellers can turn weather warnings off and on.
ALTER TABLE travellers ADD COLUMN weather_alerts boolean NOT NULL DEFAULT true;

-- +goose Down
ALTER TABLE travellers DROP COLUMN weather_alerts;
DROP TABLE daily_runs;
DROP TABLE weather_alerts;
