-- +goose Up
-- Each outbox row changes state twice within a second of being written (pending, then
-- sending when its request leaves, then sent), and no change could be heap-only: the
-- state was in the predicates of outbox_due, outbox_sending and outbox_problems and in
-- outbox_announcement, and done_at was indexed, so every transition wrote a new entry
-- in every index of the table (five or six a row, most of the sender's cost).
--
-- The rows still to be sent (pending, or sending: their request may be in flight) are
-- now listed in outbox_queue, a small table the database keeps in step with the outbox
-- by the triggers below, from a row's insert until it is sent or given up. The admin's
-- list of problems finds rows by their last error, which a delivery leaves empty. No
-- outbox index names a column that pending -> sending -> sent changes, so both
-- transitions rewrite the row heap-only (fillfactor leaves room for the new versions on
-- the row's page), and a delivery deletes one queue entry.
-- No row may be written between the copy below and the triggers (an instance of the
-- previous version during a rolling upgrade): it would be in neither.
LOCK TABLE outbox IN SHARE ROW EXCLUSIVE MODE;
CREATE TABLE outbox_queue (
    channel text   NOT NULL,
    id      bigint NOT NULL,
    PRIMARY KEY (channel, id)
);
INSERT INTO outbox_queue (channel, id) SELECT channel, id FROM outbox WHERE state IN ('pending', 'sending');

-- +goose StatementBegin
CREATE FUNCTION outbox_queue_follow() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'DELETE' AND NEW.state IN ('pending', 'sending') THEN
        INSERT INTO outbox_queue (channel, id) VALUES (NEW.channel, NEW.id);
    ELSE
        DELETE FROM outbox_queue WHERE channel = OLD.channel AND id = OLD.id;
    END IF;
    RETURN NULL;
END $$;
-- +goose StatementEnd

-- The conditions are tested without calling the function: claiming a row (pending ->
-- sending), putting it back, and deleting a finished row (the prune) call nothing.
CREATE TRIGGER outbox_queue_add AFTER INSERT ON outbox
    FOR EACH ROW WHEN (NEW.state IN ('pending', 'sending')) EXECUTE FUNCTION outbox_queue_follow();
CREATE TRIGGER outbox_queue_move AFTER UPDATE OF state ON outbox
    FOR EACH ROW WHEN ((OLD.state IN ('pending', 'sending')) <> (NEW.state IN ('pending', 'sending')))
    EXECUTE FUNCTION outbox_queue_follow();
CREATE TRIGGER outbox_queue_remove AFTER DELETE ON outbox
    FOR EACH ROW WHEN (OLD.state IN ('pending', 'sending')) EXECUTE FUNCTION outbox_queue_follow();

DROP INDEX outbox_due;
DROP INDEX outbox_sending;
DROP INDEX outbox_problems;
CREATE INDEX outbox_problems ON outbox (channel, id) WHERE last_error <> '';
-- The prune finds old rows by when they were written: a row is done after it is written.
DROP INDEX outbox_done;
CREATE INDEX outbox_created ON outbox (created_at);
-- Delivery counts of an announcement read each row's state from the table.
DROP INDEX outbox_announcement;
CREATE INDEX outbox_announcement ON outbox (dedupe_key text_pattern_ops) WHERE dedupe_key LIKE 'ann:%';
ALTER TABLE outbox SET (fillfactor = 70);

-- +goose Down
ALTER TABLE outbox RESET (fillfactor);
DROP INDEX outbox_announcement;
CREATE INDEX outbox_announcement ON outbox (dedupe_key text_pattern_ops) INCLUDE (state) WHERE dedupe_key LIKE 'ann:%';
DROP INDEX outbox_created;
CREATE INDEX outbox_done ON outbox (done_at) WHERE done_at IS NOT NULL;
DROP INDEX outbox_problems;
CREATE INDEX outbox_problems ON outbox (channel, id)
    WHERE state IN ('failed', 'blocked', 'unknown') OR (state = 'pending' AND last_error <> '');
CREATE INDEX outbox_sending ON outbox (channel) WHERE state = 'sending';
CREATE INDEX outbox_due ON outbox (channel, id) WHERE state = 'pending';
DROP TRIGGER outbox_queue_remove ON outbox;
DROP TRIGGER outbox_queue_move ON outbox;
DROP TRIGGER outbox_queue_add ON outbox;
DROP FUNCTION outbox_queue_follow();
DROP TABLE outbox_queue;
