package oneroster

// The OneRoster 1.2 Assessment Results Profile collections, served under the
// gradebook service (not part of Snapshot or Delta).
const (
	KindAssessmentLineItem Kind = "assessmentLineItems"
	KindAssessmentResult   Kind = "assessmentResults"
)

// LearningObjectiveSet names the learning objectives an assessment line item
// assesses, all from one source ("case", "unknown" or an extension).
type LearningObjectiveSet struct {
	Source string   `json:"source"`
	IDs    []string `json:"learningObjectiveIds"`
}

// LearningObjectiveResult is a student's score on one learning objective.
type LearningObjectiveResult struct {
	ID        string   `json:"learningObjectiveId"`
	Score     *float64 `json:"score,omitempty"`
	TextScore string   `json:"textScore,omitempty"`
}

// LearningObjectiveScoreSet is an assessment result's scores on the learning
// objectives of one source.
type LearningObjectiveScoreSet struct {
	Source  string                    `json:"source"`
	Results []LearningObjectiveResult `json:"learningObjectiveResults"`
}

// AssessmentLineItem is an assessment (or a part of one, under its parent)
// whose results are recorded outside a class gradebook: a placement test, a
// ministry exam.
type AssessmentLineItem struct {
	Base
	Title              string                 `json:"title"`
	Description        string                 `json:"description,omitempty"`
	Class              string                 `json:"classSourcedId,omitempty"`
	Parent             string                 `json:"parentSourcedId,omitempty"`
	ScoreScale         string                 `json:"scoreScaleSourcedId,omitempty"`
	ResultValueMin     *float64               `json:"resultValueMin,omitempty"`
	ResultValueMax     *float64               `json:"resultValueMax,omitempty"`
	LearningObjectives []LearningObjectiveSet `json:"learningObjectiveSet,omitempty"`
	// Meta is the record's metadata as given (any JSON values); the
	// profile's metadata is not limited to strings.
	Meta map[string]any `json:"meta,omitempty"`
}

// AssessmentResult is one student's result on an assessment line item.
type AssessmentResult struct {
	Base
	AssessmentLineItem string                      `json:"assessmentLineItemSourcedId"`
	Student            string                      `json:"studentSourcedId"`
	Score              *float64                    `json:"score,omitempty"`
	TextScore          string                      `json:"textScore,omitempty"`
	ScoreDate          string                      `json:"scoreDate"`
	ScoreScale         string                      `json:"scoreScaleSourcedId,omitempty"`
	ScorePercentile    *float64                    `json:"scorePercentile,omitempty"`
	ScoreStatus        string                      `json:"scoreStatus"`
	Comment            string                      `json:"comment,omitempty"`
	LearningObjectives []LearningObjectiveScoreSet `json:"learningObjectiveSet,omitempty"`
	// InProgress, Incomplete, Late and Missing are "true", "false" or empty.
	InProgress string `json:"inProgress,omitempty"`
	Incomplete string `json:"incomplete,omitempty"`
	Late       string `json:"late,omitempty"`
	Missing    string `json:"missing,omitempty"`
	// Meta is the record's metadata as given (any JSON values).
	Meta map[string]any `json:"meta,omitempty"`
}

func (r *AssessmentLineItem) base() *Base { return &r.Base }
func (r *AssessmentResult) base() *Base   { return &r.Base }

// Kind returns KindAssessmentLineItem.
func (*AssessmentLineItem) Kind() Kind { return KindAssessmentLineItem }

// Kind returns KindAssessmentResult.
func (*AssessmentResult) Kind() Kind { return KindAssessmentResult }

var assessmentKinds = [...]Kind{KindAssessmentLineItem, KindAssessmentResult}

// AssessmentKinds returns the Assessment Results Profile kinds in dependency
// order.
func AssessmentKinds() []Kind { return assessmentKinds[:] }

func newAssessment(k Kind) Entity {
	switch k {
	case KindAssessmentLineItem:
		return new(AssessmentLineItem)
	case KindAssessmentResult:
		return new(AssessmentResult)
	default:
		return nil
	}
}
