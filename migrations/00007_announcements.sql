-- +goose Up
-- Service notices (seed 000): published ahead by a lead time that depends on the type,
-- sent again when the window starts and when the work is completed.
CREATE TABLE announcements (
    id           bigserial PRIMARY KEY,
    type         text        NOT NULL CHECK (type IN ('feature', 'performance', 'security', 'ui', 'maintenance', 'downtime')),
    title        text        NOT NULL,
    body         text        NOT NULL,
    impact       text        NOT NULL,
    notes        text        NOT NULL DEFAULT '',
    urgent       boolean     NOT NULL DEFAULT false,
    fault        boolean     NOT NULL DEFAULT false,
    starts_at    timestamptz NOT NULL,
    ends_at      timestamptz,                       -- NULL: a fault whose end nobody knows yet
    status       text        NOT NULL DEFAULT 'published' CHECK (status IN ('published', 'cancelled', 'completed')),
    created_by   text        NOT NULL DEFAULT '',
    created_at   timestamptz NOT NULL DEFAULT now(),
    closed_at    timestamptz                        -- cancelled or completed
);
CREATE INDEX announcements_open ON announcements (starts_at) WHERE status = 'published';
CREATE INDEX announcements_past ON announcements (coalesce(closed_at, ends_at) DESC);

-- The switch an admin turns by hand; one row, read by every instance.
CREATE TABLE maintenance (
    id         int         PRIMARY KEY CHECK (id = 1),
    active     boolean     NOT NULL DEFAULT false,
    until      timestamptz,
    message    text        NOT NULL DEFAULT '',
    updated_by text        NOT NULL DEFAULT '',
    updated_at timestamptz NOT NULL DEFAULT now()
);
INSERT INTO maintenance (id) VALUES (1);

-- A message received during maintenance is answered with the notice at once and kept
-- unhandled, so that its real turn runs when the window ends; held_at records the first.
ALTER TABLE inbox ADD COLUMN held_at timestamptz;

-- Delivery counts of an announcement read its outbox rows by dedupe key prefix.
CREATE INDEX outbox_announcement ON outbox (dedupe_key text_pattern_ops) WHERE dedupe_key LIKE 'ann:%';

-- +goose Down
DROP INDEX outbox_announcement;
ALTER TABLE inbox DROP COLUMN held_at;
DROP TABLE maintenance;
DROP TABLE announcements;
