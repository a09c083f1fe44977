package sqlite

import (
	"context"
	"database/sql/driver"
	"fmt"
)

// The writer connection runs many callers' work in one shared transaction.
// SQLite answers a cancelled statement with sqlite3_interrupt, and an
// interrupted INSERT, UPDATE or DELETE inside an explicit transaction rolls
// the WHOLE transaction back: one caller's cancelled context would fail every
// other write of its batch. So the writer's connections detach statements
// from cancellation (context.WithoutCancel) once they have started.
// database/sql still checks the context before each statement and still
// closes a cancelled query's rows, which ends that caller's work with its own
// error, inside its own savepoint.

// detachedConnector opens connections whose statements ignore cancellation.
type detachedConnector struct {
	driver.Connector
}

// Connect opens a connection of the wrapped connector and detaches it.
func (c detachedConnector) Connect(ctx context.Context) (driver.Conn, error) {
	conn, err := c.Connector.Connect(ctx)
	if err != nil {
		return nil, err
	}
	full, ok := conn.(fullConn)
	if !ok {
		_ = conn.Close()
		return nil, fmt.Errorf("sqlite driver connection %T lacks context methods", conn)
	}
	return detachedConn{full}, nil
}

// fullConn is every optional interface the modernc connection implements and
// database/sql relies on; a wrapper must forward them all.
type fullConn interface {
	driver.Conn
	driver.ConnBeginTx
	driver.ConnPrepareContext
	driver.ExecerContext
	driver.QueryerContext
	driver.Pinger
	driver.SessionResetter
	driver.Validator
}

// detachedConn runs statements without cancellation.
type detachedConn struct {
	fullConn
}

// Unwrap returns the driver's own connection.
func (c detachedConn) Unwrap() driver.Conn { return c.fullConn }

// ExecContext runs query to completion even if ctx is cancelled meanwhile.
func (c detachedConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	return c.fullConn.ExecContext(context.WithoutCancel(ctx), query, args)
}

// QueryContext runs query without interrupting it on cancellation.
func (c detachedConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	return c.fullConn.QueryContext(context.WithoutCancel(ctx), query, args)
}

// PrepareContext prepares a statement whose executions are detached too.
func (c detachedConn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	st, err := c.fullConn.PrepareContext(context.WithoutCancel(ctx), query)
	if err != nil {
		return nil, err
	}
	full, ok := st.(fullStmt)
	if !ok {
		_ = st.Close()
		return nil, fmt.Errorf("sqlite driver statement %T lacks context methods", st)
	}
	return detachedStmt{full}, nil
}

// fullStmt is a statement with the context methods.
type fullStmt interface {
	driver.Stmt
	driver.StmtExecContext
	driver.StmtQueryContext
}

// detachedStmt runs a prepared statement without cancellation.
type detachedStmt struct {
	fullStmt
}

// ExecContext runs the statement to completion even if ctx is cancelled.
func (s detachedStmt) ExecContext(ctx context.Context, args []driver.NamedValue) (driver.Result, error) {
	return s.fullStmt.ExecContext(context.WithoutCancel(ctx), args)
}

// QueryContext runs the statement without interrupting it on cancellation.
func (s detachedStmt) QueryContext(ctx context.Context, args []driver.NamedValue) (driver.Rows, error) {
	return s.fullStmt.QueryContext(context.WithoutCancel(ctx), args)
}
