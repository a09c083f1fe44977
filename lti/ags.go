package lti

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"time"
)

// LineItem is an AGS line item.
type LineItem struct {
	ID             string  `json:"id,omitempty"`
	ScoreMaximum   float64 `json:"scoreMaximum"`
	Label          string  `json:"label"`
	ResourceLinkID string  `json:"resourceLinkId,omitempty"`
	ResourceID     string  `json:"resourceId,omitempty"`
	Tag            string  `json:"tag,omitempty"`
	StartDateTime  string  `json:"startDateTime,omitempty"`
	EndDateTime    string  `json:"endDateTime,omitempty"`
	GradesReleased *bool   `json:"gradesReleased,omitempty"`
}

// Activity progress values (AGS 2.0).
const (
	ActivityInitialized = "Initialized"
	ActivityStarted     = "Started"
	ActivityInProgress  = "InProgress"
	ActivitySubmitted   = "Submitted"
	ActivityCompleted   = "Completed"
)

// Grading progress values (AGS 2.0); only FullyGraded records a grade.
const (
	GradingFullyGraded   = "FullyGraded"
	GradingPending       = "Pending"
	GradingPendingManual = "PendingManual"
	GradingFailed        = "Failed"
	GradingNotReady      = "NotReady"
)

// Score is an AGS score publication.
type Score struct {
	UserID           string   `json:"userId"`
	ScoreGiven       *float64 `json:"scoreGiven,omitempty"`
	ScoreMaximum     *float64 `json:"scoreMaximum,omitempty"`
	Comment          string   `json:"comment,omitempty"`
	Timestamp        string   `json:"timestamp"`
	ActivityProgress string   `json:"activityProgress"`
	GradingProgress  string   `json:"gradingProgress"`
}

// ScoreTimestamp formats t as AGS wants it: ISO 8601 with milliseconds and
// a timezone.
func ScoreTimestamp(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z07:00") }

// Validate checks a score before it is sent.
func (s Score) Validate() error {
	if s.UserID == "" {
		return errors.New("score: userId required")
	}
	if _, err := time.Parse(time.RFC3339Nano, s.Timestamp); err != nil {
		return errors.New("score: timestamp must be ISO 8601 with timezone")
	}
	if !slices.Contains([]string{ActivityInitialized, ActivityStarted, ActivityInProgress, ActivitySubmitted, ActivityCompleted}, s.ActivityProgress) {
		return fmt.Errorf("score: activityProgress %q invalid", s.ActivityProgress)
	}
	if !slices.Contains([]string{GradingFullyGraded, GradingPending, GradingPendingManual, GradingFailed, GradingNotReady}, s.GradingProgress) {
		return fmt.Errorf("score: gradingProgress %q invalid", s.GradingProgress)
	}
	if s.ScoreGiven != nil {
		if *s.ScoreGiven < 0 {
			return errors.New("score: scoreGiven must not be negative")
		}
		if s.ScoreMaximum == nil || *s.ScoreMaximum <= 0 {
			return errors.New("score: scoreMaximum must be positive when scoreGiven is set")
		}
	}
	return nil
}

// Result is an AGS result.
type Result struct {
	ID            string   `json:"id"`
	ScoreOf       string   `json:"scoreOf"`
	UserID        string   `json:"userId"`
	ResultScore   *float64 `json:"resultScore,omitempty"`
	ResultMaximum *float64 `json:"resultMaximum,omitempty"`
	Comment       string   `json:"comment,omitempty"`
}

// LineItemQuery filters a line item container listing.
type LineItemQuery struct {
	ResourceLinkID string
	ResourceID     string
	Tag            string
	Limit          int
}

// maxPages bounds every paged listing.
const maxPages = 100

func needScope(ep *AGSEndpoint, any ...string) error {
	if ep == nil {
		return errors.New("launch has no AGS endpoint claim")
	}
	for _, s := range any {
		if slices.Contains([]string(ep.Scope), s) {
			return nil
		}
	}
	return fmt.Errorf("platform did not grant any of %v", any)
}

// LineItems lists the container's line items, following rel="next" links.
func (s *Services) LineItems(ctx context.Context, reg Registration, ep *AGSEndpoint, q LineItemQuery) ([]LineItem, error) {
	if err := needScope(ep, ScopeLineItem, ScopeLineItemReadOnly); err != nil {
		return nil, err
	}
	if ep.LineItems == "" {
		return nil, errors.New("launch has no lineitems url")
	}
	params := url.Values{}
	for k, v := range map[string]string{"resource_link_id": q.ResourceLinkID, "resource_id": q.ResourceID, "tag": q.Tag} {
		if v != "" {
			params.Set(k, v)
		}
	}
	if q.Limit > 0 {
		params.Set("limit", strconv.Itoa(q.Limit))
	}
	next, err := AppendQuery(ep.LineItems, params)
	if err != nil {
		return nil, err
	}
	var all []LineItem
	for page := 0; next != "" && page < maxPages; page++ {
		body, hdr, err := s.call(ctx, reg, advertised(ep), []string{ScopeLineItem, ScopeLineItemReadOnly}, http.MethodGet, next, MediaLineItemContainer, "", nil)
		if err != nil {
			return nil, fmt.Errorf("list line items: %w", err)
		}
		var items []LineItem
		if err := json.Unmarshal(body, &items); err != nil {
			return nil, fmt.Errorf("decode line items: %w", err)
		}
		all = append(all, items...)
		next = nextLink(hdr, "next")
	}
	return all, nil
}

// advertised returns the AGS scopes the claim offers, so one token (cached
// per scope set) serves every AGS call of the launch and only offered
// scopes are ever requested.
func advertised(ep *AGSEndpoint) []string {
	var out []string
	for _, s := range []string{ScopeLineItem, ScopeLineItemReadOnly, ScopeResultReadOnly, ScopeScore} {
		if slices.Contains([]string(ep.Scope), s) {
			out = append(out, s)
		}
	}
	return out
}

// CreateLineItem POSTs a new line item to the container.
func (s *Services) CreateLineItem(ctx context.Context, reg Registration, ep *AGSEndpoint, li LineItem) (LineItem, error) {
	if err := needScope(ep, ScopeLineItem); err != nil {
		return LineItem{}, err
	}
	if li.ScoreMaximum <= 0 || li.Label == "" {
		return LineItem{}, errors.New("line item needs a label and a positive scoreMaximum")
	}
	li.ID = ""
	payload, err := json.Marshal(li)
	if err != nil {
		return LineItem{}, fmt.Errorf("encode line item: %w", err)
	}
	body, _, err := s.call(ctx, reg, advertised(ep), []string{ScopeLineItem}, http.MethodPost, ep.LineItems, MediaLineItem, MediaLineItem, payload)
	if err != nil {
		return LineItem{}, fmt.Errorf("create line item: %w", err)
	}
	var out LineItem
	if err := json.Unmarshal(body, &out); err != nil {
		return LineItem{}, fmt.Errorf("decode line item: %w", err)
	}
	return out, nil
}

// LineItem reads one line item.
func (s *Services) LineItem(ctx context.Context, reg Registration, ep *AGSEndpoint, id string) (LineItem, error) {
	if err := needScope(ep, ScopeLineItem, ScopeLineItemReadOnly); err != nil {
		return LineItem{}, err
	}
	body, _, err := s.call(ctx, reg, advertised(ep), []string{ScopeLineItem, ScopeLineItemReadOnly}, http.MethodGet, id, MediaLineItem, "", nil)
	if err != nil {
		return LineItem{}, fmt.Errorf("read line item: %w", err)
	}
	var out LineItem
	if err := json.Unmarshal(body, &out); err != nil {
		return LineItem{}, fmt.Errorf("decode line item: %w", err)
	}
	return out, nil
}

// UpdateLineItem PUTs the whole line item representation to li.ID.
func (s *Services) UpdateLineItem(ctx context.Context, reg Registration, ep *AGSEndpoint, li LineItem) (LineItem, error) {
	if err := needScope(ep, ScopeLineItem); err != nil {
		return LineItem{}, err
	}
	payload, err := json.Marshal(li)
	if err != nil {
		return LineItem{}, fmt.Errorf("encode line item: %w", err)
	}
	body, _, err := s.call(ctx, reg, advertised(ep), []string{ScopeLineItem}, http.MethodPut, li.ID, MediaLineItem, MediaLineItem, payload)
	if err != nil {
		return LineItem{}, fmt.Errorf("update line item: %w", err)
	}
	var out LineItem
	if err := json.Unmarshal(body, &out); err != nil {
		return LineItem{}, fmt.Errorf("decode line item: %w", err)
	}
	return out, nil
}

// DeleteLineItem deletes a line item.
func (s *Services) DeleteLineItem(ctx context.Context, reg Registration, ep *AGSEndpoint, id string) error {
	if err := needScope(ep, ScopeLineItem); err != nil {
		return err
	}
	if _, _, err := s.call(ctx, reg, advertised(ep), []string{ScopeLineItem}, http.MethodDelete, id, "", "", nil); err != nil {
		return fmt.Errorf("delete line item: %w", err)
	}
	return nil
}

// PostScore publishes a score to {lineItem}/scores (the segment goes before
// any query string). Any 2xx is success.
func (s *Services) PostScore(ctx context.Context, reg Registration, ep *AGSEndpoint, lineItem string, sc Score) error {
	if err := needScope(ep, ScopeScore); err != nil {
		return err
	}
	if err := sc.Validate(); err != nil {
		return err
	}
	target, err := ServiceURL(lineItem, "scores")
	if err != nil {
		return err
	}
	payload, err := json.Marshal(sc)
	if err != nil {
		return fmt.Errorf("encode score: %w", err)
	}
	if _, _, err := s.call(ctx, reg, advertised(ep), []string{ScopeScore}, http.MethodPost, target, "", MediaScore, payload); err != nil {
		return fmt.Errorf("post score: %w", err)
	}
	return nil
}

// Results reads {lineItem}/results, optionally for one user, following
// rel="next" links.
func (s *Services) Results(ctx context.Context, reg Registration, ep *AGSEndpoint, lineItem, userID string, limit int) ([]Result, error) {
	if err := needScope(ep, ScopeResultReadOnly); err != nil {
		return nil, err
	}
	target, err := ServiceURL(lineItem, "results")
	if err != nil {
		return nil, err
	}
	params := url.Values{}
	if userID != "" {
		params.Set("user_id", userID)
	}
	if limit > 0 {
		params.Set("limit", strconv.Itoa(limit))
	}
	next, err := AppendQuery(target, params)
	if err != nil {
		return nil, err
	}
	var all []Result
	for page := 0; next != "" && page < maxPages; page++ {
		body, hdr, err := s.call(ctx, reg, advertised(ep), []string{ScopeResultReadOnly}, http.MethodGet, next, MediaResultContainer, "", nil)
		if err != nil {
			return nil, fmt.Errorf("read results: %w", err)
		}
		var rs []Result
		if err := json.Unmarshal(body, &rs); err != nil {
			return nil, fmt.Errorf("decode results: %w", err)
		}
		all = append(all, rs...)
		next = nextLink(hdr, "next")
	}
	return all, nil
}

// ScoreTarget returns the line item to post scores to for a launch: the
// launch's own lineitem, or one found (or created, with create) in the
// lineitems container by resourceLinkId.
func (s *Services) ScoreTarget(ctx context.Context, reg Registration, ep *AGSEndpoint, resourceLinkID string, create *LineItem) (string, error) {
	if ep == nil {
		return "", errors.New("launch has no AGS endpoint claim")
	}
	if ep.LineItem != "" {
		return ep.LineItem, nil
	}
	items, err := s.LineItems(ctx, reg, ep, LineItemQuery{ResourceLinkID: resourceLinkID})
	if err != nil {
		return "", err
	}
	for _, li := range items {
		if li.ResourceLinkID == resourceLinkID && li.ID != "" {
			return li.ID, nil
		}
	}
	if create == nil {
		return "", errors.New("no line item for the resource link")
	}
	li := *create
	li.ResourceLinkID = resourceLinkID
	out, err := s.CreateLineItem(ctx, reg, ep, li)
	if err != nil {
		return "", err
	}
	return out.ID, nil
}
