package csv

import (
	"context"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/passportbridge/passport/oneroster"
	"github.com/passportbridge/passport/oneroster/memstore"
)

// manifest12 is a 1.2 manifest with the given files delta, the rest absent.
func manifest12(delta ...string) string {
	var b strings.Builder
	b.WriteString("propertyName,value\nmanifest.version,1.0\noneroster.version,1.2\n")
	for _, f := range Files(V12) {
		mode := "absent"
		for _, d := range delta {
			if d == f {
				mode = "delta"
			}
		}
		b.WriteString("file." + f + "," + mode + "\n")
	}
	return b.String()
}

func user(t *testing.T, st *memstore.Store, id string) *oneroster.User {
	t.Helper()
	return decodeOne(t, st, oneroster.KindUser, id).(*oneroster.User)
}

func roleIDs(u *oneroster.User) []string {
	var out []string
	for _, r := range u.Roles {
		out = append(out, r.SourcedID+":"+r.Role+"@"+r.Org)
	}
	return out
}

// TestRoleOnlyDelta12 applies 1.2 delta roles.csv and userProfiles.csv rows
// whose users have no users.csv row in the package to the stored users:
// roles added, replaced and deleted, the 1.1 view derived again, the change
// visible to delta pollers, replays idempotent, and a users.csv delta row
// without roles rows keeping the stored roles.
func TestRoleOnlyDelta12(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := memstore.New()
	_, err := importFS(t, st, fixture(t, "v12", nil), Options{}, ImportOptions{})
	require.NoError(t, err)
	c1, err := st.Cursor(ctx, "t1")
	require.NoError(t, err)
	const rolesHdr = "sourcedId,status,dateLastModified,userSourcedId,roleType,role,beginDate,endDate,orgSourcedId,userProfileSourcedId\n"
	const profHdr = "sourcedId,status,dateLastModified,userSourcedId,profileType,vendorId,applicationId,description,credentialType,username,password\n"
	delta := fstest.MapFS{
		"manifest.csv": {Data: []byte(manifest12("roles", "userProfiles"))},
		"roles.csv": {Data: []byte(rolesHdr +
			"r-9,active,2026-01-16T00:00:00.000Z,u-1,secondary,student,,,sch-2,\n" + // added
			"r-2,active,2026-01-16T00:00:00.000Z,u-2,primary,principal,,,sch-1,p-2\n" + // replaced
			"r-3,tobedeleted,2026-01-16T00:00:00.000Z,u-2,,,,,,\n" + // deleted
			"r-8,active,2026-01-16T00:00:00.000Z,u-404,primary,student,,,sch-1,\n")}, // unknown user
		"userProfiles.csv": {Data: []byte(profHdr +
			"p-9,active,2026-01-16T00:00:00.000Z,u-4,lms,kolibri,,,,yali,\n")},
	}
	rep, err := importFS(t, st, delta, Options{}, ImportOptions{Now: func() time.Time { return t0.Add(time.Hour) }})
	require.NoError(t, err)
	require.Len(t, rep.Rejects, 1)
	assert.Equal(t, `roles.csv:5: user "u-404" is neither an active row of users.csv nor, in a delta file, a stored user`, rep.Rejects[0].String())
	assert.Equal(t, "userSourcedId", rep.Rejects[0].Field)
	assert.Equal(t, 3, rep.Applied.Counts[oneroster.KindUser].Updated)

	u1 := user(t, st, "u-1")
	assert.Equal(t, []string{"r-1:student@sch-1", "r-9:student@sch-2"}, roleIDs(u1))
	assert.Equal(t, []string{"sch-1", "sch-2"}, u1.Orgs, "the 1.1 view follows the roles")
	assert.Equal(t, "Amina", u1.GivenName, "the rest of the user is kept")
	u2 := user(t, st, "u-2")
	assert.Equal(t, []string{"r-2:principal@sch-1"}, roleIDs(u2))
	assert.Equal(t, "principal", u2.Role)
	assert.Equal(t, []string{"sch-1"}, u2.Orgs)
	require.Len(t, user(t, st, "u-4").Profiles, 1)
	assert.Equal(t, "p-9", user(t, st, "u-4").Profiles[0].SourcedID)

	d, err := st.Changes(ctx, "t1", c1)
	require.NoError(t, err)
	var changed []string
	for _, u := range d.Upserts.Users {
		changed = append(changed, u.SourcedID)
	}
	assert.Equal(t, []string{"u-1", "u-2", "u-4"}, changed, "delta pollers see the role change")

	rep, err = importFS(t, st, delta, Options{}, ImportOptions{Now: func() time.Time { return t0.Add(2 * time.Hour) }})
	require.NoError(t, err)
	assert.False(t, rep.Changed(), "a replay changes nothing")

	// A users.csv delta row without roles rows keeps the stored roles.
	usersHdr12 := strings.Join(Columns(V12, "users"), ",") + "\n"
	upd := fstest.MapFS{
		"manifest.csv": {Data: []byte(manifest12("users"))},
		"users.csv":    {Data: []byte(usersHdr12 + "u-1,active,2026-01-17T00:00:00.000Z,true,amina.h,{LTI:lti-1},Amina,Hassan,,AH001,amina@example.org,,,u-3,04,,UMI-1,Mina,,,sch-1,she/her\n")},
	}
	rep, err = importFS(t, st, upd, Options{}, ImportOptions{Now: func() time.Time { return t0.Add(3 * time.Hour) }})
	require.NoError(t, err)
	require.Empty(t, rep.Rejects)
	u1 = user(t, st, "u-1")
	assert.Equal(t, "amina@example.org", u1.Email)
	assert.Equal(t, []string{"r-1:student@sch-1", "r-9:student@sch-2"}, roleIDs(u1))

	// A role row of a user deleted in the same package is rejected.
	del := fstest.MapFS{
		"manifest.csv": {Data: []byte(manifest12("users", "roles"))},
		"users.csv":    {Data: []byte(usersHdr12 + "u-3,tobedeleted,2026-01-18T00:00:00.000Z,,,,,,,,,,,,,,,,,,,\n")},
		"roles.csv":    {Data: []byte(rolesHdr + "r-7,active,2026-01-18T00:00:00.000Z,u-3,secondary,parent,,,sch-2,\n")},
	}
	rep, err = importFS(t, st, del, Options{}, ImportOptions{DryRun: true})
	require.NoError(t, err)
	require.Len(t, rep.Rejects, 1)
	assert.Equal(t, "roles.csv", rep.Rejects[0].File)
}

// TestLastRoleKept12 checks that a delta roles.csv cannot leave a user who
// stays without any role: the deletion of the last role is rejected (the
// user keeps it), while replacing it, or deleting the user with it, is fine.
func TestLastRoleKept12(t *testing.T) {
	t.Parallel()
	const rolesHdr = "sourcedId,status,dateLastModified,userSourcedId,roleType,role,beginDate,endDate,orgSourcedId,userProfileSourcedId\n"
	usersHdr12 := strings.Join(Columns(V12, "users"), ",") + "\n"
	cases := []struct {
		name    string
		files   map[string]string
		strict  bool
		rejects []string
		refused bool
		roles   []string // u-1's roles after; nil when u-1 is deleted
	}{
		{
			name:    "the last role is kept, its deletion rejected",
			files:   map[string]string{"roles.csv": rolesHdr + "r-1,tobedeleted,2026-01-16T00:00:00.000Z,u-1,,,,,,\n"},
			rejects: []string{`roles.csv:2: would remove the last role of user "u-1"; a user needs at least one role (add another role, or delete the user)`},
			roles:   []string{"r-1:student@sch-1"},
		},
		{
			name:    "under --strict the package is refused",
			files:   map[string]string{"roles.csv": rolesHdr + "r-1,tobedeleted,2026-01-16T00:00:00.000Z,u-1,,,,,,\n"},
			strict:  true,
			rejects: []string{`roles.csv:2: would remove the last role of user "u-1"; a user needs at least one role (add another role, or delete the user)`},
			refused: true,
			roles:   []string{"r-1:student@sch-1"},
		},
		{
			name: "a role replacing the last one is fine",
			files: map[string]string{"roles.csv": rolesHdr + "r-1,tobedeleted,2026-01-16T00:00:00.000Z,u-1,,,,,,\n" +
				"r-10,active,2026-01-16T00:00:00.000Z,u-1,primary,student,,,sch-2,\n"},
			roles: []string{"r-10:student@sch-2"},
		},
		{
			name: "deleting the user with its last role is fine",
			files: map[string]string{
				"users.csv": usersHdr12 + "u-1,tobedeleted,2026-01-16T00:00:00.000Z,,,,,,,,,,,,,,,,,,,\n",
				"roles.csv": rolesHdr + "r-1,tobedeleted,2026-01-16T00:00:00.000Z,u-1,,,,,,\n",
			},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			st := memstore.New()
			_, err := importFS(t, st, fixture(t, "v12", nil), Options{}, ImportOptions{})
			require.NoError(t, err)
			var present []string
			delta := fstest.MapFS{}
			for name, text := range tc.files {
				delta[name] = &fstest.MapFile{Data: []byte(text)}
				present = append(present, strings.TrimSuffix(name, ".csv"))
			}
			delta["manifest.csv"] = &fstest.MapFile{Data: []byte(manifest12(present...))}
			rep, err := importFS(t, st, delta, Options{Strict: tc.strict}, ImportOptions{Now: func() time.Time { return t0.Add(time.Hour) }, Guard: oneroster.Guard{Allow: true}})
			if tc.refused {
				var re *RefusedError
				require.ErrorAs(t, err, &re)
			} else {
				require.NoError(t, err)
			}
			var got []string
			for _, r := range rep.Rejects {
				got = append(got, r.String())
			}
			assert.Equal(t, tc.rejects, got)
			for _, r := range rep.Rejects {
				assert.Equal(t, "status", r.Field)
			}
			u := user(t, st, "u-1")
			if tc.roles == nil {
				assert.Equal(t, oneroster.StatusToBeDeleted, u.Status)
				return
			}
			assert.Equal(t, oneroster.StatusActive, u.Status)
			assert.Equal(t, tc.roles, roleIDs(u))
			assert.NotEmpty(t, u.Role, "the 1.1 view keeps a role")
		})
	}
}
