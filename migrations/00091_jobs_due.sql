-- +goose Up
-- A worker's claim walked jobs_ready, which holds every job not done, past the jobs other
-- workers hold leased (a plan takes a second or more: at 60 plans a second, hundreds of
-- index entries and heap rows a claim). Jobs waiting for a worker and jobs whose lease
-- ran out (their worker died) now have an index each.
CREATE INDEX jobs_due ON jobs (kind, run_at, id) WHERE done_at IS NULL AND leased_until IS NULL;
CREATE INDEX jobs_lease_ended ON jobs (leased_until) WHERE done_at IS NULL AND leased_until IS NOT NULL;
DROP INDEX jobs_ready;

-- +goose Down
CREATE INDEX jobs_ready ON jobs (kind, run_at) WHERE done_at IS NULL;
DROP INDEX jobs_lease_ended;
DROP INDEX jobs_due;
