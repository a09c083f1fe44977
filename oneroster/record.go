package oneroster

import (
	"encoding/json"
	"fmt"
	"hash/fnv"
	"time"
)

// Entity is a typed roster record: Org, AcademicSession, Course, Class, User,
// Enrollment or Demographics.
type Entity interface {
	base() *Base
	// Kind names the record's collection.
	Kind() Kind
}

func (r *Org) base() *Base             { return &r.Base }
func (r *AcademicSession) base() *Base { return &r.Base }
func (r *Course) base() *Base          { return &r.Base }
func (r *Class) base() *Base           { return &r.Base }
func (r *User) base() *Base            { return &r.Base }
func (r *Enrollment) base() *Base      { return &r.Base }
func (r *Demographics) base() *Base    { return &r.Base }
func (r *Category) base() *Base        { return &r.Base }
func (r *LineItem) base() *Base        { return &r.Base }
func (r *Result) base() *Base          { return &r.Base }

// Kind returns KindCategory.
func (*Category) Kind() Kind { return KindCategory }

// Kind returns KindLineItem.
func (*LineItem) Kind() Kind { return KindLineItem }

// Kind returns KindResult.
func (*Result) Kind() Kind { return KindResult }

// Kind returns KindOrg.
func (*Org) Kind() Kind { return KindOrg }

// Kind returns KindAcademicSession.
func (*AcademicSession) Kind() Kind { return KindAcademicSession }

// Kind returns KindCourse.
func (*Course) Kind() Kind { return KindCourse }

// Kind returns KindClass.
func (*Class) Kind() Kind { return KindClass }

// Kind returns KindUser.
func (*User) Kind() Kind { return KindUser }

// Kind returns KindEnrollment.
func (*Enrollment) Kind() Kind { return KindEnrollment }

// Kind returns KindDemographics.
func (*Demographics) Kind() Kind { return KindDemographics }

// Kinds lists the roster kinds in dependency order (referenced kinds first).
var kinds = [...]Kind{KindOrg, KindAcademicSession, KindCourse, KindClass, KindUser, KindDemographics, KindEnrollment}

// Kinds returns the roster kinds in dependency order: a kind only refers to
// kinds before it.
func Kinds() []Kind { return kinds[:] }

var gradebookKinds = [...]Kind{KindCategory, KindScoreScale, KindLineItem, KindResult, KindLineItemScoreScale, KindResultScoreScale}

// GradebookKinds returns the gradebook kinds in dependency order (they refer
// to roster kinds and to kinds before them).
func GradebookKinds() []Kind { return gradebookKinds[:] }

// AllKinds returns the roster kinds, then the gradebook kinds, then the
// resources kinds, then the Assessment Results Profile kinds.
func AllKinds() []Kind {
	return append(append(append(append([]Kind{}, Kinds()...), GradebookKinds()...), ResourceKinds()...), AssessmentKinds()...)
}

// NewEntity returns a zero record of the kind, or nil for an unknown kind.
func NewEntity(k Kind) Entity {
	switch k {
	case KindOrg:
		return new(Org)
	case KindAcademicSession:
		return new(AcademicSession)
	case KindCourse:
		return new(Course)
	case KindClass:
		return new(Class)
	case KindUser:
		return new(User)
	case KindEnrollment:
		return new(Enrollment)
	case KindDemographics:
		return new(Demographics)
	case KindCategory:
		return new(Category)
	case KindLineItem:
		return new(LineItem)
	case KindResult:
		return new(Result)
	default:
		return newExtra(k)
	}
}

// BaseOf returns the common fields of a record.
func BaseOf(e Entity) Base { return *e.base() }

// ChangeOf encodes a typed record as an import change: canonical JSON with
// DateLastModified cleared (it becomes SourceModified) and its content hash.
func ChangeOf(e Entity) (Change, error) {
	b := e.base()
	src := b.DateLastModified
	st := b.Status
	if st == "" || st == StatusInactive {
		st = StatusActive
	}
	b.DateLastModified = time.Time{}
	b.Status = st
	data, err := json.Marshal(e)
	b.DateLastModified = src
	if err != nil {
		return Change{}, fmt.Errorf("encode %s %q: %w", e.Kind(), b.SourcedID, err)
	}
	return Change{Kind: e.Kind(), SourcedID: b.SourcedID, Status: st, SourceModified: src, Hash: Hash(data), Data: data}, nil
}

// Hash is the content hash stores keep beside a record's Data.
func Hash(data []byte) int64 {
	h := fnv.New64a()
	_, _ = h.Write(data)
	return int64(h.Sum64()) //nolint:gosec // a hash, wrap-around intended
}

// Decode returns the typed record a stored Record holds, with its status and
// dateLastModified taken from the record.
func Decode(r Record) (Entity, error) {
	e := NewEntity(r.Kind)
	if e == nil {
		return nil, fmt.Errorf("decode record: unknown kind %q", r.Kind)
	}
	if err := json.Unmarshal(r.Data, e); err != nil {
		return nil, fmt.Errorf("decode %s %q: %w", r.Kind, r.SourcedID, err)
	}
	b := e.base()
	b.SourcedID = r.SourcedID
	b.Status = r.Status
	b.DateLastModified = r.Modified.UTC()
	return e, nil
}

// Add appends a typed record to the snapshot's list of its kind.
func (s *Snapshot) Add(e Entity) {
	switch v := e.(type) {
	case *Org:
		s.Orgs = append(s.Orgs, *v)
	case *AcademicSession:
		s.AcademicSessions = append(s.AcademicSessions, *v)
	case *Course:
		s.Courses = append(s.Courses, *v)
	case *Class:
		s.Classes = append(s.Classes, *v)
	case *User:
		s.Users = append(s.Users, *v)
	case *Enrollment:
		s.Enrollments = append(s.Enrollments, *v)
	case *Demographics:
		s.Demographics = append(s.Demographics, *v)
	}
}

// DeltaOf builds a Delta from changed records (the latest state of each):
// deleted records become Deletes, the others Upserts. Gradebook and
// resources records are not part of a Delta and are skipped.
func DeltaOf(recs []Record, cursor int64) (Delta, error) {
	d := Delta{Cursor: cursor}
	for _, r := range recs {
		if !IsRoster(r.Kind) {
			continue
		}
		if r.Status == StatusToBeDeleted {
			d.Deletes = append(d.Deletes, Ref{Kind: r.Kind, SourcedID: r.SourcedID})
			continue
		}
		e, err := Decode(r)
		if err != nil {
			return Delta{}, err
		}
		d.Upserts.Add(e)
	}
	return d, nil
}
