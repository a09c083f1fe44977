package oneroster

// The 1.2 gradebook collections beyond categories, line items and results.
const (
	KindScoreScale         Kind = "scoreScales"
	KindLineItemScoreScale Kind = "lineItemScoreScales"
	KindResultScoreScale   Kind = "resultScoreScales"
)

// The resources service collections (1.1 and 1.2).
const (
	KindResource       Kind = "resources"
	KindClassResource  Kind = "classResources"
	KindCourseResource Kind = "courseResources"
	KindUserResource   Kind = "userResources"
)

// ScoreScaleValue is one row of a score scale: a left-hand value (a grade
// such as "A") and what it stands for (such as "90-100").
type ScoreScaleValue struct {
	ItemValueLHS string `json:"itemValueLHS"`
	ItemValueRHS string `json:"itemValueRHS"`
}

// ScoreScale is a 1.2 score scale of an org, course or class.
type ScoreScale struct {
	Base
	Title  string            `json:"title"`
	Type   string            `json:"type"`
	Org    string            `json:"orgSourcedId,omitempty"`
	Course string            `json:"courseSourcedId,omitempty"`
	Class  string            `json:"classSourcedId,omitempty"`
	Values []ScoreScaleValue `json:"scoreScaleValue"`
}

// LineItemScoreScale links a line item to the score scale it is marked on.
type LineItemScoreScale struct {
	Base
	Title      string `json:"title,omitempty"`
	LineItem   string `json:"lineItemSourcedId"`
	ScoreScale string `json:"scoreScaleSourcedId"`
}

// ResultScoreScale links a result to the score scale it was marked on.
type ResultScoreScale struct {
	Base
	Title      string `json:"title,omitempty"`
	Result     string `json:"resultSourcedId"`
	ScoreScale string `json:"scoreScaleSourcedId"`
}

// Resource is a learning resource a vendor provides.
type Resource struct {
	Base
	VendorResourceID string   `json:"vendorResourceId"`
	Title            string   `json:"title,omitempty"`
	Roles            []string `json:"roles,omitempty"`
	Importance       string   `json:"importance,omitempty"` // primary, secondary
	VendorID         string   `json:"vendorId,omitempty"`
	ApplicationID    string   `json:"applicationId,omitempty"`
}

// ClassResource assigns a resource to a class.
type ClassResource struct {
	Base
	Title    string `json:"title,omitempty"`
	Class    string `json:"classSourcedId"`
	Resource string `json:"resourceSourcedId"`
}

// CourseResource assigns a resource to a course.
type CourseResource struct {
	Base
	Title    string `json:"title,omitempty"`
	Course   string `json:"courseSourcedId"`
	Resource string `json:"resourceSourcedId"`
}

// UserResource assigns a resource to a user (1.2), optionally within an
// org or class.
type UserResource struct {
	Base
	User     string `json:"userSourcedId"`
	Org      string `json:"orgSourcedId,omitempty"`
	Class    string `json:"classSourcedId,omitempty"`
	Resource string `json:"resourceSourcedId"`
}

func (r *ScoreScale) base() *Base         { return &r.Base }
func (r *LineItemScoreScale) base() *Base { return &r.Base }
func (r *ResultScoreScale) base() *Base   { return &r.Base }
func (r *Resource) base() *Base           { return &r.Base }
func (r *ClassResource) base() *Base      { return &r.Base }
func (r *CourseResource) base() *Base     { return &r.Base }
func (r *UserResource) base() *Base       { return &r.Base }

// Kind returns KindScoreScale.
func (*ScoreScale) Kind() Kind { return KindScoreScale }

// Kind returns KindLineItemScoreScale.
func (*LineItemScoreScale) Kind() Kind { return KindLineItemScoreScale }

// Kind returns KindResultScoreScale.
func (*ResultScoreScale) Kind() Kind { return KindResultScoreScale }

// Kind returns KindResource.
func (*Resource) Kind() Kind { return KindResource }

// Kind returns KindClassResource.
func (*ClassResource) Kind() Kind { return KindClassResource }

// Kind returns KindCourseResource.
func (*CourseResource) Kind() Kind { return KindCourseResource }

// Kind returns KindUserResource.
func (*UserResource) Kind() Kind { return KindUserResource }

var resourceKinds = [...]Kind{KindResource, KindClassResource, KindCourseResource, KindUserResource}

// ResourceKinds returns the resources service kinds in dependency order.
func ResourceKinds() []Kind { return resourceKinds[:] }

// IsRoster reports whether a kind is a roster kind (part of Snapshot and
// Delta), as opposed to a gradebook or resources kind.
func IsRoster(k Kind) bool {
	for _, r := range kinds {
		if r == k {
			return true
		}
	}
	return false
}

func newExtra(k Kind) Entity {
	switch k {
	case KindScoreScale:
		return new(ScoreScale)
	case KindLineItemScoreScale:
		return new(LineItemScoreScale)
	case KindResultScoreScale:
		return new(ResultScoreScale)
	case KindResource:
		return new(Resource)
	case KindClassResource:
		return new(ClassResource)
	case KindCourseResource:
		return new(CourseResource)
	case KindUserResource:
		return new(UserResource)
	default:
		return newAssessment(k)
	}
}

// SetMetadata replaces a record's metadata (its extension columns).
func SetMetadata(e Entity, m map[string]string) { e.base().Metadata = m }
