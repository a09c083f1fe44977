package kolibri

import (
	"context"
	"net/url"
	"strings"

	"github.com/passportbridge/passport/connectors"
	"github.com/passportbridge/passport/oneroster"
)

// loadGroups reads a classroom's learner groups and their members once.
func (p *push) loadGroups(ctx context.Context, room string) error {
	if _, ok := p.lgroups[room]; ok {
		return nil
	}
	m := map[string]string{}
	p.lgroups[room] = m
	if strings.HasPrefix(room, "dry-run-") {
		return nil
	}
	var gs []struct {
		ID      string   `json:"id"`
		Name    string   `json:"name"`
		UserIDs []string `json:"user_ids"`
	}
	if err := p.c.cl.do(ctx, "GET", "/api/auth/learnergroup/?parent="+url.QueryEscape(room), nil, &gs); err != nil {
		return err
	}
	for _, g := range gs {
		m[g.Name] = g.ID
		set := map[string]bool{}
		for _, u := range g.UserIDs {
			set[u] = true
		}
		p.lgMembers[g.ID] = set
	}
	return nil
}

// learnerGroup returns the learner group of a class in its course's
// classroom, creating it when missing; "" when it could not be created
// (reported).
func (p *push) learnerGroup(ctx context.Context, room, classID string, report bool) (string, error) {
	if err := p.loadGroups(ctx, room); err != nil {
		return "", err
	}
	name := p.names[classID]
	if id, ok := p.lgroups[room][name]; ok {
		if report {
			p.rep.Add(oneroster.KindClass, classID, connectors.OutcomeUnchanged, "")
		}
		return id, nil
	}
	if !report {
		return "", nil // pushClasses creates groups; enrollments only find them
	}
	if p.dry {
		id := p.fakeID()
		p.lgroups[room][name], p.lgMembers[id] = id, map[string]bool{}
		p.rep.Add(oneroster.KindClass, classID, connectors.OutcomeCreated, "")
		return id, nil
	}
	var g kCollection
	err := p.c.cl.do(ctx, "POST", "/api/auth/learnergroup/", map[string]string{"name": name, "parent": room}, &g)
	if msg, ok := refused(err); ok {
		p.rep.Add(oneroster.KindClass, classID, connectors.OutcomeFailed, "learner group: "+msg)
		return "", nil
	}
	if err != nil {
		return "", err
	}
	p.lgroups[room][name], p.lgMembers[g.ID] = g.ID, map[string]bool{}
	p.rep.Add(oneroster.KindClass, classID, connectors.OutcomeCreated, "")
	return g.ID, nil
}

// pushGroupMembers puts students in their class's learner group (after
// their classroom membership exists) and takes removed ones out. It
// returns the removed enrollments whose user is then in no learner group
// of the classroom: those leave the classroom too.
func (p *push) pushGroupMembers(ctx context.Context, enrols, unenrols []oneroster.Enrollment) ([]oneroster.Enrollment, error) {
	var add []enrolRow
	for _, e := range enrols {
		if e.Role != "student" {
			continue
		}
		r, ok, err := p.resolve(ctx, e)
		if err != nil {
			return nil, err
		}
		if !ok || !p.members[r.room][r.user] && !p.dry {
			continue // not in the classroom: that failure is already reported
		}
		gid, err := p.learnerGroup(ctx, r.room, e.Class, false)
		if err != nil {
			return nil, err
		}
		if gid == "" || p.lgMembers[gid][r.user] {
			continue
		}
		p.lgMembers[gid][r.user] = true
		r.room = gid
		add = append(add, r)
	}
	if !p.dry {
		if err := connectors.Bisect(ctx, add, p.c.cfg.BatchSize, func(ctx context.Context, rs []enrolRow) error {
			list := make([]kMembership, len(rs))
			for i, r := range rs {
				list[i] = kMembership{Collection: r.room, User: r.user}
			}
			return p.c.cl.do(ctx, "POST", "/api/auth/membership/", list, nil)
		}, refused, func(r enrolRow, msg string) {
			p.rep.Add(oneroster.KindEnrollment, r.src.SourcedID, connectors.OutcomeFailed, "learner group: "+msg)
		}); err != nil {
			return nil, err
		}
	}
	var leave []oneroster.Enrollment
	for _, e := range unenrols {
		if e.Role != "student" {
			leave = append(leave, e)
			continue
		}
		r, ok, err := p.resolve(ctx, e)
		if err != nil {
			return nil, err
		}
		if !ok {
			continue
		}
		if err := p.loadGroups(ctx, r.room); err != nil {
			return nil, err
		}
		gid := p.lgroups[r.room][p.names[e.Class]]
		if gid != "" && p.lgMembers[gid][r.user] {
			if !p.dry {
				q := url.Values{"user": {r.user}, "collection": {gid}}
				err := p.c.cl.do(ctx, "DELETE", "/api/auth/membership/?"+q.Encode(), nil, nil)
				if msg, ok := refused(err); ok {
					p.rep.Add(oneroster.KindEnrollment, e.SourcedID, connectors.OutcomeFailed, msg)
					continue
				}
				if err != nil {
					return nil, err
				}
			}
			delete(p.lgMembers[gid], r.user)
		}
		other := false
		for _, g := range p.lgroups[r.room] {
			if p.lgMembers[g][r.user] {
				other = true
			}
		}
		if other {
			p.rep.Add(oneroster.KindEnrollment, e.SourcedID, connectors.OutcomeRemoved, "")
			continue
		}
		leave = append(leave, e)
	}
	return leave, nil
}
