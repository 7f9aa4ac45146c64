// Package store keeps xingqu's state in PostgreSQL through sqlx and lib/pq: the
// connection pool, the migrations runner, repositories, the job queue and the
// notification bus. Driver errors become domain errors here, wrapped with %w.
package store
