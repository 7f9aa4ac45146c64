-- +goose Up
-- Indexes for a year of data. The agents' queue reads conversations in its own order and
-- stops at 200; "mine" reads an agent's; the conversation view reads its emergencies and
-- feedback. Every foreign key that cascades or nulls on delete has an index on the
-- referencing side, so that deleting a row (the prune, retention, forgetting a traveller)
-- does not scan the whole referencing table per row: without outbox_edit_of (00008) the hourly
-- prune of the outbox was quadratic. The prunes find their rows by the time they test.
CREATE INDEX conversations_queue ON conversations
    ((status = 'waiting') DESC, priority DESC, waiting_since ASC NULLS LAST, updated_at DESC);
CREATE INDEX conversations_agent ON conversations (agent_id) WHERE agent_id IS NOT NULL;
CREATE INDEX emergencies_conversation ON emergencies (conversation_id);
CREATE INDEX feedback_conversation ON feedback (conversation_id);
CREATE INDEX jobs_conversation ON jobs (conversation_id);
CREATE INDEX jobs_done ON jobs (done_at) WHERE done_at IS NOT NULL;
CREATE INDEX inbox_handled ON inbox (handled_at) WHERE handled_at IS NOT NULL;
CREATE INDEX outbox_conversation ON outbox (conversation_id) WHERE conversation_id IS NOT NULL;
CREATE INDEX outbox_traveller ON outbox (traveller_id) WHERE traveller_id IS NOT NULL;
CREATE INDEX outbox_done ON outbox (done_at) WHERE done_at IS NOT NULL;
CREATE INDEX outbox_problems ON outbox (channel, id)
    WHERE state IN ('failed', 'blocked', 'unknown') OR (state = 'pending' AND last_error <> '');
-- Delivery counts read the state from the index alone.
DROP INDEX outbox_announcement;
CREATE INDEX outbox_announcement ON outbox (dedupe_key text_pattern_ops) INCLUDE (state) WHERE dedupe_key LIKE 'ann:%';
CREATE INDEX telegram_updates_processed ON telegram_updates (processed_at) WHERE processed_at IS NOT NULL;
CREATE INDEX telegram_callbacks_created ON telegram_callbacks (created_at);
CREATE INDEX widget_sessions_expiry ON widget_sessions (expires_at);
CREATE INDEX widget_sessions_traveller ON widget_sessions (traveller_id);
CREATE INDEX widget_sessions_conversation ON widget_sessions (conversation_id);
CREATE INDEX refresh_tokens_expiry ON refresh_tokens (expires_at);
CREATE INDEX refresh_tokens_account ON refresh_tokens (account_id);

-- +goose Down
DROP INDEX refresh_tokens_account;
DROP INDEX refresh_tokens_expiry;
DROP INDEX widget_sessions_conversation;
DROP INDEX widget_sessions_traveller;
DROP INDEX widget_sessions_expiry;
DROP INDEX telegram_callbacks_created;
DROP INDEX telegram_updates_processed;
DROP INDEX outbox_announcement;
CREATE INDEX outbox_announcement ON outbox (dedupe_key text_pattern_ops) WHERE dedupe_key LIKE 'ann:%';
DROP INDEX outbox_problems;
DROP INDEX outbox_done;
DROP INDEX outbox_traveller;
DROP INDEX outbox_conversation;
DROP INDEX inbox_handled;
DROP INDEX jobs_done;
DROP INDEX jobs_conversation;
DROP INDEX feedback_conversation;
DROP INDEX emergencies_conversation;
DROP INDEX conversations_agent;
DROP INDEX conversations_queue;
