package csv

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/passportbridge/passport/oneroster"
)

// storedUser is what a 1.2 role or profile delta needs of a stored user.
type storedUser struct {
	user *oneroster.User
	sm   time.Time // the source's dateLastModified of the stored record
}

// roleOnlyUser reports whether a roles.csv or userProfiles.csv row whose
// user has no users.csv row in the package may apply to a stored user: the
// file is delta, the user is stored and active, and users.csv neither
// rejects nor deletes it.
func (pl *Plan) roleOnlyUser(ctx context.Context, f, user string) (bool, error) {
	if user == "" || pl.pkg.Modes[f] != Delta {
		return false, nil
	}
	if _, rej := pl.rejIDs["users"][user]; rej {
		return false, nil
	}
	if e, ok := pl.ok["users"][user]; ok && e.deleted {
		return false, nil
	}
	have, err := pl.stored(ctx, oneroster.KindUser)
	if err != nil {
		return false, err
	}
	return have[user], nil
}

// noteRoleDelete records a tobedeleted roles.csv or userProfiles.csv row.
func (pl *Plan) noteRoleDelete(f, id, user string, at time.Time) {
	if f == "roles" {
		pl.roleDel[id] = true
	} else {
		pl.profDel[id] = true
	}
	if user != "" && at.After(pl.roleTime[user]) {
		pl.roleTime[user] = at
	}
}

// mergesStored reports whether users' roles or profiles are merged with
// the stored ones: a 1.2 package whose roles.csv or userProfiles.csv is not
// bulk (a bulk file is the whole picture and replaces them).
func (pl *Plan) mergesStored() bool {
	return pl.pkg.Version == V12 && (pl.pkg.Modes["roles"] != Bulk || pl.pkg.Modes["userProfiles"] != Bulk)
}

// loadStoredUsers reads the stored users a merge needs: the users.csv rows,
// the role-only users, and (when the package deletes roles or profiles)
// every user holding one of them.
func (pl *Plan) loadStoredUsers(ctx context.Context, st Cascader, tenant string) error {
	if !pl.mergesStored() {
		return nil
	}
	if len(pl.ok["users"]) == 0 && len(pl.roleOnly) == 0 && len(pl.roleDel) == 0 && len(pl.profDel) == 0 {
		return nil
	}
	recs, err := st.Records(ctx, tenant, oneroster.KindUser)
	if err != nil {
		return fmt.Errorf("read stored users: %w", err)
	}
	pl.storedUsr = map[string]storedUser{}
	for _, r := range recs {
		if r.Status == oneroster.StatusToBeDeleted {
			continue
		}
		_, inFile := pl.ok["users"][r.SourcedID]
		if !inFile && !pl.roleOnly[r.SourcedID] && len(pl.roleDel)+len(pl.profDel) == 0 {
			continue
		}
		e, err := oneroster.Decode(r)
		if err != nil {
			return err
		}
		u := e.(*oneroster.User)
		if !inFile && !pl.roleOnly[r.SourcedID] && !holdsDeleted(u, pl.roleDel, pl.profDel) {
			continue
		}
		pl.storedUsr[r.SourcedID] = storedUser{user: u, sm: r.SourceModified}
		if !inFile {
			pl.roleOnly[r.SourcedID] = true
		}
	}
	return nil
}

func holdsDeleted(u *oneroster.User, roles, profs map[string]bool) bool {
	for _, r := range u.Roles {
		if r.SourcedID != "" && roles[r.SourcedID] {
			return true
		}
	}
	for _, p := range u.Profiles {
		if profs[p.SourcedID] {
			return true
		}
	}
	return false
}

// mergedRoles returns a 1.2 user's roles and profiles after the package:
// the package's rows, and, where the file is not bulk, the stored ones the
// package neither replaces (same sourcedId) nor deletes.
func (pl *Plan) mergedRoles(id string) ([]oneroster.RoleAssignment, []oneroster.UserProfile) {
	roles, profs := pl.roles[id], pl.profiles[id]
	su, ok := pl.storedUsr[id]
	if !ok {
		return roles, profs
	}
	if pl.pkg.Modes["roles"] != Bulk {
		var out []oneroster.RoleAssignment
		for _, r := range su.user.Roles {
			replaced := slices.ContainsFunc(roles, func(n oneroster.RoleAssignment) bool { return r.SourcedID != "" && n.SourcedID == r.SourcedID })
			if !replaced && (r.SourcedID == "" || !pl.roleDel[r.SourcedID]) {
				out = append(out, r)
			}
		}
		roles = append(out, roles...)
	}
	if pl.pkg.Modes["userProfiles"] != Bulk {
		var out []oneroster.UserProfile
		for _, p := range su.user.Profiles {
			replaced := slices.ContainsFunc(profs, func(n oneroster.UserProfile) bool { return n.SourcedID == p.SourcedID })
			if !replaced && !pl.profDel[p.SourcedID] {
				out = append(out, p)
			}
		}
		profs = append(out, profs...)
	}
	return roles, profs
}

// roleOnlyChanges yields the stored users whose roles or profiles the
// package changes without a users.csv row, with their 1.1 view (role, orgs)
// derived again. Their source time is the later of the stored one and the
// role rows', so the change is not taken for a stale row.
func (pl *Plan) roleOnlyChanges(yield func(oneroster.Change) error) error {
	for _, id := range sortedKeys(pl.roleOnly) {
		if _, inFile := pl.ok["users"][id]; inFile {
			continue
		}
		su, ok := pl.storedUsr[id]
		if !ok {
			continue
		}
		u := *su.user
		roles, profs := pl.mergedRoles(id)
		u.Role, u.Orgs = "", nil
		keep := false
		for _, r := range roles {
			keep = keep || r.Org == u.PrimaryOrg
		}
		if !keep {
			u.PrimaryOrg = ""
		}
		attachRoles(&u, roles, profs)
		u.DateLastModified = su.sm
		if t := pl.roleTime[id]; t.After(su.sm) {
			u.DateLastModified = t
		}
		c, err := oneroster.ChangeOf(&u)
		if err != nil {
			return err
		}
		if err := yield(c); err != nil {
			return err
		}
	}
	return nil
}

// keepLastRoles rejects the tobedeleted roles.csv rows (of a delta roles
// file) that would leave a stored 1.2 user who stays without any role: a
// user needs at least one. The user keeps the roles; the rows are listed
// with the reason. It needs loadStoredUsers first.
func (pl *Plan) keepLastRoles() {
	if pl.pkg.Modes["roles"] == Bulk || len(pl.roleDel) == 0 {
		return
	}
	for _, id := range sortedKeys(pl.storedUsr) {
		e, inFile := pl.ok["users"][id]
		if (inFile && e.deleted) || (!inFile && pl.pkg.Modes["users"] == Bulk) {
			continue // the user goes too
		}
		if roles, _ := pl.mergedRoles(id); len(roles) > 0 {
			continue
		}
		for _, r := range pl.storedUsr[id].user.Roles {
			if r.SourcedID == "" || !pl.roleDel[r.SourcedID] {
				continue
			}
			delete(pl.roleDel, r.SourcedID)
			line := 0
			if re, ok := pl.ok["roles"][r.SourcedID]; ok {
				line = int(re.line)
			}
			pl.reject("roles", line, r.SourcedID, "status",
				fmt.Sprintf("would remove the last role of user %q; a user needs at least one role (add another role, or delete the user)", id))
		}
	}
}
