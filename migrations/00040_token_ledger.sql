-- +goose Up
-- Tokens spent on model calls per day, by whom: 'traveller:<key>' and 'address:<network>'
-- rows side by side. Shared by every instance, so a budget holds across instances and
-- restarts.
CREATE TABLE token_spend (
    spender text   NOT NULL,
    day     date   NOT NULL,
    tokens  bigint NOT NULL DEFAULT 0,
    PRIMARY KEY (spender, day)
);
-- Old days are only ever deleted.
CREATE INDEX token_spend_day ON token_spend (day);

-- The network (an IPv4 address or an IPv6 /64) a traveller last wrote from, so that a
-- plan made later by a worker is charged to that address's budget too.
CREATE TABLE traveller_networks (
    traveller_id bigint      PRIMARY KEY REFERENCES travellers (id) ON DELETE CASCADE,
    network      text        NOT NULL,
    seen_at      timestamptz NOT NULL DEFAULT now()
);

-- +goose Down
DROP TABLE traveller_networks;
DROP TABLE token_spend;
