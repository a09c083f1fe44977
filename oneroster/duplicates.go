package oneroster

import (
	"context"
	"fmt"
	"slices"
	"strings"
)

// Duplicate is a set of active users that look like one person under
// several sourcedIds (a re-registration), not yet merged.
type Duplicate struct {
	SourcedIDs []string
	// Why names the matching evidence: "userMasterIdentifier" or "name and
	// birthDate".
	Why string
}

// String describes the duplicate for a report.
func (d Duplicate) String() string {
	return fmt.Sprintf("possible duplicate learner %s (same %s)", strings.Join(d.SourcedIDs, ", "), d.Why)
}

// FindDuplicates looks for identities that changed their sourcedId: active
// users sharing a userMasterIdentifier, or the same given and family name
// (case-insensitive) and birthDate. Users already merged together are not
// reported.
func FindDuplicates(ctx context.Context, st IdentityStore, tenant string) ([]Duplicate, error) {
	recs, err := st.Records(ctx, tenant, KindUser)
	if err != nil {
		return nil, fmt.Errorf("find duplicates: %w", err)
	}
	demo, err := st.Records(ctx, tenant, KindDemographics)
	if err != nil {
		return nil, fmt.Errorf("find duplicates: %w", err)
	}
	birth := map[string]string{}
	for _, r := range demo {
		if r.Status == StatusToBeDeleted {
			continue
		}
		e, err := Decode(r)
		if err != nil {
			return nil, err
		}
		if d := e.(*Demographics); d.BirthDate != "" {
			birth[d.SourcedID] = d.BirthDate
		}
	}
	links, err := mergeLinks(ctx, st, tenant)
	if err != nil {
		return nil, err
	}
	byMaster := map[string][]string{}
	byName := map[string][]string{}
	for _, r := range recs {
		if r.Status == StatusToBeDeleted {
			continue
		}
		e, err := Decode(r)
		if err != nil {
			return nil, err
		}
		u := e.(*User)
		if u.MasterIdentifier != "" {
			byMaster[u.MasterIdentifier] = append(byMaster[u.MasterIdentifier], u.SourcedID)
		}
		if b := birth[u.SourcedID]; b != "" && u.GivenName != "" && u.FamilyName != "" {
			k := strings.ToLower(u.GivenName) + "\x00" + strings.ToLower(u.FamilyName) + "\x00" + b
			byName[k] = append(byName[k], u.SourcedID)
		}
	}
	var out []Duplicate
	seen := map[string]bool{}
	report := func(groups map[string][]string, why string) {
		keys := make([]string, 0, len(groups))
		for k := range groups {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			ids := groups[k]
			canon := map[string]bool{}
			for _, id := range ids {
				canon[resolve(links, id)] = true
			}
			if len(canon) < 2 {
				continue
			}
			slices.Sort(ids)
			key := strings.Join(ids, "\x00")
			if seen[key] {
				continue
			}
			seen[key] = true
			out = append(out, Duplicate{SourcedIDs: ids, Why: why})
		}
	}
	report(byMaster, "userMasterIdentifier")
	report(byName, "name and birthDate")
	return out, nil
}
