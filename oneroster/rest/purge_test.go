package rest

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestPurgeSeenByProvider checks that a tombstone purge is seen at once:
// the purge moves the cursor, so the provider's cached view is rebuilt and
// no longer serves the removed tombstones.
func TestPurgeSeenByProvider(t *testing.T) {
	t.Parallel()
	srv, st, tok := gradebookServer(t, "roster.readonly")
	importDelta(t, st, "users", "sourcedId,status,dateLastModified,enabledUser,orgSourcedIds,role,username,userIds,givenName,familyName,middleName,identifier,email,sms,phone,agentSourcedIds,grades,password\n"+
		"u-s,tobedeleted,2026-11-03T00:00:00.000Z,true,sch-1,student,s,,Sara,S,,S1,,,,,,\n")
	const deleted = "/ims/oneroster/v1p1/users?filter=status%3D%27tobedeleted%27"
	status, ids := getIDs(t, srv, tok, deleted, "users")
	require.Equal(t, http.StatusOK, status)
	require.Equal(t, []string{"u-s"}, ids, "the tombstone is served to delta pollers")

	n, err := st.PurgeRosterTombstones(context.Background(), "t", time.Now().Add(time.Hour))
	require.NoError(t, err)
	require.Equal(t, 2, n, "the user and the enrollment that ended with it")
	status, ids = getIDs(t, srv, tok, deleted, "users")
	require.Equal(t, http.StatusOK, status)
	assert.Empty(t, ids, "the purged tombstone is gone at once")
	status, ids = getIDs(t, srv, tok, "/ims/oneroster/v1p1/users", "users")
	require.Equal(t, http.StatusOK, status)
	assert.Equal(t, []string{"u-t"}, ids)
}
