package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"

	"github.com/lib/pq"
)

// lib/pq sends a statement with parameters in two exchanges, Parse and Describe of an
// unnamed statement and then Bind and Execute, and PostgreSQL parses and plans it anew
// each time. A turn runs the same few statements over and over, so each connection
// prepares a statement the first time it runs it and then only binds and executes it:
// one exchange, no parsing, and a plan PostgreSQL may keep (a generic plan where one is
// as good as the custom ones). Behind a transaction pooler (pooler.go) a connection may
// not be the session it was, and statements are not kept.

// openCaching opens dsn with the connector that keeps statements per connection.
func openCaching(dsn string) (*sql.DB, error) {
	pc, err := pq.NewConnector(dsn)
	if err != nil {
		return nil, err
	}
	return sql.OpenDB(&cachingConnector{pq: pc}), nil
}

type cachingConnector struct {
	pq *pq.Connector
}

func (c *cachingConnector) Connect(ctx context.Context) (driver.Conn, error) {
	conn, err := c.pq.Connect(ctx)
	if err != nil {
		return nil, err
	}
	pc, ok := conn.(pqConn)
	if !ok {
		conn.Close()
		return nil, fmt.Errorf("lib/pq connection lacks the interfaces the statement cache needs")
	}
	return &cachingConn{pqConn: pc, stmts: map[string]preparedStmt{}}, nil
}

func (c *cachingConnector) Driver() driver.Driver { return c.pq.Driver() }

// maxStatements bounds the statements kept by one connection: the service runs a few
// hundred different ones, and a statement built with values in its text is not worth
// keeping past that.
const maxStatements = 512

type preparedStmt interface {
	driver.Stmt
	driver.StmtExecContext
	driver.StmtQueryContext
}

// cachingConn is one connection with its prepared statements. database/sql uses a
// connection from one goroutine at a time, so the map needs no lock.
type cachingConn struct {
	pqConn
	stmts map[string]preparedStmt
}

// prepared returns the connection's statement for query, preparing it the first time;
// nil when it is not to be kept.
func (cc *cachingConn) prepared(ctx context.Context, query string) (preparedStmt, error) {
	if s, ok := cc.stmts[query]; ok {
		return s, nil
	}
	if len(cc.stmts) >= maxStatements {
		return nil, nil
	}
	s, err := cc.pqConn.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	ps, ok := s.(preparedStmt)
	if !ok {
		s.Close()
		return nil, nil
	}
	cc.stmts[query] = ps
	return ps, nil
}

// forget drops a statement PostgreSQL no longer runs as prepared: its result changed
// shape under a schema change, or the session lost it.
func (cc *cachingConn) forget(query string, err error) {
	var pqErr *pq.Error
	if errors.As(err, &pqErr) && (pqErr.Code == "0A000" || pqErr.Code == "26000") {
		delete(cc.stmts, query)
	}
}

func (cc *cachingConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	if len(args) == 0 {
		return cc.pqConn.ExecContext(ctx, query, args) // one exchange already
	}
	s, err := cc.prepared(ctx, query)
	if err != nil {
		return nil, err
	}
	if s == nil {
		return cc.pqConn.ExecContext(ctx, query, args)
	}
	res, err := s.ExecContext(ctx, args)
	if err != nil {
		cc.forget(query, err)
	}
	return res, err
}

func (cc *cachingConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	if len(args) == 0 {
		return cc.pqConn.QueryContext(ctx, query, args)
	}
	s, err := cc.prepared(ctx, query)
	if err != nil {
		return nil, err
	}
	if s == nil {
		return cc.pqConn.QueryContext(ctx, query, args)
	}
	rows, err := s.QueryContext(ctx, args)
	if err != nil {
		cc.forget(query, err)
	}
	return rows, err
}
