package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"net/url"
	"strings"
	"sync"

	"github.com/lib/pq"
)

// Behind a transaction pooler (PgBouncer with pool_mode = transaction) a statement must
// reach PostgreSQL in one exchange: the pooler may hand the next exchange to another
// server connection. lib/pq does that only with binary_parameters=yes; otherwise it
// prepares in one exchange and executes in the next, which fails as "unnamed prepared
// statement does not exist". But with binary_parameters=yes lib/pq sends every []byte in
// binary, and jsonb refuses a JSON document in binary ("unsupported jsonb version
// number"). pooledConnector turns a []byte bound for a json or jsonb parameter into text;
// which parameters those are it asks PostgreSQL once per statement.

// binaryParameters reports whether dsn asks lib/pq for binary parameters.
func binaryParameters(dsn string) bool {
	u, err := url.Parse(dsn)
	if err != nil || u.Scheme == "" {
		return strings.Contains(dsn, "binary_parameters=yes") || strings.Contains(dsn, "binary_parameters=on")
	}
	switch strings.ToLower(u.Query().Get("binary_parameters")) {
	case "yes", "on", "true", "1":
		return true
	}
	return false
}

// openPooled opens dsn with the connector that suits a transaction pooler.
func openPooled(dsn string) (*sql.DB, error) {
	pc, err := pq.NewConnector(dsn)
	if err != nil {
		return nil, err
	}
	return sql.OpenDB(&pooledConnector{pq: pc, types: map[string][]bool{}}), nil
}

type pooledConnector struct {
	pq *pq.Connector

	mu    sync.Mutex
	types map[string][]bool // statement -> which parameters are json or jsonb
	probe driver.Conn       // asks for parameter types, apart from the pool
}

// maxTypeCache bounds the statements remembered; the service's are a few hundred.
const maxTypeCache = 4096

func (c *pooledConnector) Connect(ctx context.Context) (driver.Conn, error) {
	conn, err := c.pq.Connect(ctx)
	if err != nil {
		return nil, err
	}
	pc, ok := conn.(pqConn)
	if !ok {
		conn.Close()
		return nil, fmt.Errorf("lib/pq connection lacks the interfaces the pooled connector needs")
	}
	return &pooledConn{pqConn: pc, c: c}, nil
}

func (c *pooledConnector) Driver() driver.Driver { return c.pq.Driver() }

// Close closes the probe connection; sql.DB.Close calls it.
func (c *pooledConnector) Close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.probe != nil {
		c.probe.Close()
		c.probe = nil
	}
	return nil
}

// jsonParams returns which parameters of query are json or jsonb, asking PostgreSQL the
// first time: PREPARE in a transaction (which the pooler keeps on one server connection),
// read pg_prepared_statements, DEALLOCATE.
func (c *pooledConnector) jsonParams(ctx context.Context, query string) []bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if t, ok := c.types[query]; ok {
		return t
	}
	t, err := c.ask(ctx, query)
	if err != nil {
		// The statement itself will fail and say why, or the probe connection broke:
		// open a new one next time.
		if c.probe != nil {
			c.probe.Close()
			c.probe = nil
		}
		return nil
	}
	if len(c.types) < maxTypeCache {
		c.types[query] = t
	}
	return t
}

func (c *pooledConnector) ask(ctx context.Context, query string) ([]bool, error) {
	if c.probe == nil {
		conn, err := c.pq.Connect(ctx)
		if err != nil {
			return nil, err
		}
		c.probe = conn
	}
	ex := c.probe.(driver.ExecerContext)
	q := c.probe.(driver.QueryerContext)
	if _, err := ex.ExecContext(ctx, "BEGIN", nil); err != nil {
		return nil, err
	}
	defer ex.ExecContext(ctx, "ROLLBACK", nil)
	if _, err := ex.ExecContext(ctx, "PREPARE xingqu_param_types AS "+query, nil); err != nil {
		return nil, err
	}
	rows, err := q.QueryContext(ctx, "SELECT array_to_string(parameter_types, ',') FROM pg_prepared_statements WHERE name = 'xingqu_param_types'", nil)
	if err != nil {
		return nil, err
	}
	dest := make([]driver.Value, 1)
	err = rows.Next(dest)
	rows.Close()
	if err != nil {
		return nil, err
	}
	ex.ExecContext(ctx, "DEALLOCATE xingqu_param_types", nil)
	var list string
	switch v := dest[0].(type) {
	case string:
		list = v
	case []byte:
		list = string(v)
	}
	var t []bool
	for _, typ := range strings.Split(list, ",") {
		t = append(t, typ == "json" || typ == "jsonb")
	}
	return t, nil
}

// pqConn is what a lib/pq connection offers database/sql.
type pqConn interface {
	driver.Conn
	driver.ConnBeginTx
	driver.ConnPrepareContext
	driver.QueryerContext
	driver.ExecerContext
	driver.Pinger
	driver.SessionResetter
	driver.Validator
	driver.NamedValueChecker
}

type pooledConn struct {
	pqConn
	c *pooledConnector
}

// textJSON turns []byte arguments bound for json or jsonb parameters into strings.
func (pc *pooledConn) textJSON(ctx context.Context, query string, args []driver.NamedValue) []driver.NamedValue {
	var types []bool
	copied := false
	for i, a := range args {
		b, ok := a.Value.([]byte)
		if !ok {
			continue
		}
		if types == nil {
			types = pc.c.jsonParams(ctx, query)
			if types == nil {
				return args
			}
		}
		if n := a.Ordinal - 1; n >= 0 && n < len(types) && types[n] {
			if !copied { // leave the caller's slice alone
				args, copied = append([]driver.NamedValue(nil), args...), true
			}
			args[i].Value = string(b)
		}
	}
	return args
}

func (pc *pooledConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	return pc.pqConn.QueryContext(ctx, query, pc.textJSON(ctx, query, args))
}

func (pc *pooledConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	return pc.pqConn.ExecContext(ctx, query, pc.textJSON(ctx, query, args))
}
