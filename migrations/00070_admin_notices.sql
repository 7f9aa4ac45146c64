-- +goose Up
-- Notices in both languages: the existing text columns hold Chinese (or the one language
-- an admin gave), the *_en columns English; an empty *_en falls back to the Chinese.
ALTER TABLE announcements
    ADD COLUMN title_en     text    NOT NULL DEFAULT '',
    ADD COLUMN body_en      text    NOT NULL DEFAULT '',
    ADD COLUMN impact_en    text    NOT NULL DEFAULT '',
    ADD COLUMN notes_en     text    NOT NULL DEFAULT '',
    -- published sooner than its type's lead time because the admin said so
    ADD COLUMN short_notice boolean NOT NULL DEFAULT false,
    -- notices still waiting to be sent when it was cancelled, taken back unsent
    ADD COLUMN withdrawn    bigint  NOT NULL DEFAULT 0;

-- Progress on a fault or a running maintenance (seed 000: 故障进度实时查询).
CREATE TABLE announcement_updates (
    id              bigserial   PRIMARY KEY,
    announcement_id bigint      NOT NULL REFERENCES announcements (id) ON DELETE CASCADE,
    body            text        NOT NULL,
    body_en         text        NOT NULL DEFAULT '',
    created_by      text        NOT NULL DEFAULT '',
    created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX announcement_updates_of ON announcement_updates (announcement_id, id);

ALTER TABLE maintenance ADD COLUMN message_en text NOT NULL DEFAULT '';

-- An account given a temporary password by an admin must choose its own before anything else.
ALTER TABLE accounts ADD COLUMN must_change_password boolean NOT NULL DEFAULT false;

-- +goose Down
ALTER TABLE accounts DROP COLUMN must_change_password;
ALTER TABLE maintenance DROP COLUMN message_en;
DROP TABLE announcement_updates;
ALTER TABLE announcements DROP COLUMN withdrawn, DROP COLUMN short_notice, DROP COLUMN notes_en,
    DROP COLUMN impact_en, DROP COLUMN body_en, DROP COLUMN title_en;
