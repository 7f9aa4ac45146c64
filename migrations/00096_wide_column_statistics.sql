-- +goose Up
-- Autovacuum's ANALYZE of the tables every turn writes sampled each of their columns,
-- the transcript's text and every JSON document among them, and sorted them: about a
-- third of a second of CPU for messages alone at 1,000 travellers, while turns waited.
-- No query filters on these columns (the JSON ones are read by key, which column
-- statistics do not inform), so they keep none: ANALYZE skips a column whose statistics
-- target is 0.
ALTER TABLE messages ALTER COLUMN text SET STATISTICS 0, ALTER COLUMN body SET STATISTICS 0;
ALTER TABLE inbox ALTER COLUMN payload SET STATISTICS 0;
ALTER TABLE conversations ALTER COLUMN slots SET STATISTICS 0, ALTER COLUMN data SET STATISTICS 0;
ALTER TABLE jobs ALTER COLUMN payload SET STATISTICS 0;
ALTER TABLE plans ALTER COLUMN plan SET STATISTICS 0, ALTER COLUMN request SET STATISTICS 0;
ALTER TABLE outbox ALTER COLUMN params SET STATISTICS 0;
ALTER TABLE telegram_updates ALTER COLUMN payload SET STATISTICS 0;

-- +goose Down
ALTER TABLE messages ALTER COLUMN text SET STATISTICS -1, ALTER COLUMN body SET STATISTICS -1;
ALTER TABLE inbox ALTER COLUMN payload SET STATISTICS -1;
ALTER TABLE conversations ALTER COLUMN slots SET STATISTICS -1, ALTER COLUMN data SET STATISTICS -1;
ALTER TABLE jobs ALTER COLUMN payload SET STATISTICS -1;
ALTER TABLE plans ALTER COLUMN plan SET STATISTICS -1, ALTER COLUMN request SET STATISTICS -1;
ALTER TABLE outbox ALTER COLUMN params SET STATISTICS -1;
ALTER TABLE telegram_updates ALTER COLUMN payload SET STATISTICS -1;
