package lti

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"time"
)

// Content is one passport learning activity in a tenant's catalogue: what
// the deep-linking picker offers and what a launch opens.
type Content struct {
	Tenant      string `json:"-"`
	ID          string `json:"id"`
	Title       string `json:"title"`
	Description string `json:"description,omitempty"`
	// LaunchURL is where the activity's own content lives; it is opened
	// with xAPI launch parameters.
	LaunchURL string `json:"launchUrl"`
	// ActivityID is the xAPI activity IRI statements about it use.
	ActivityID string `json:"activityId"`
	// ScoreMaximum > 0 makes the item scored: deep links carry a lineItem
	// and scores go back to the platform.
	ScoreMaximum float64   `json:"scoreMaximum,omitempty"`
	Tags         []string  `json:"tags,omitempty"`
	Created      time.Time `json:"created"`
	Updated      time.Time `json:"updated"`
}

// ContentStore keeps each tenant's catalogue.
type ContentStore interface {
	// PutContent inserts c or replaces the tenant's item with the same id.
	PutContent(ctx context.Context, c Content) error
	// Content returns one item; store.ErrNotFound if the tenant has none.
	Content(ctx context.Context, tenant, id string) (Content, error)
	// Contents lists a tenant's items ordered by id.
	Contents(ctx context.Context, tenant string) ([]Content, error)
	// DeleteContent removes an item; store.ErrNotFound if absent.
	DeleteContent(ctx context.Context, tenant, id string) error
}

var contentIDRe = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$`)

// ContentError is an invalid catalogue item; its message names the field.
type ContentError struct{ Msg string }

// Error returns the message.
func (e *ContentError) Error() string { return e.Msg }

// HTTPStatus is 400.
func (e *ContentError) HTTPStatus() int { return 400 }

// Validate checks an item before it is stored and normalises its tags.
func (c *Content) Validate() error {
	switch {
	case !contentIDRe.MatchString(c.ID):
		return &ContentError{"id: want 1-64 letters, digits, '.', '_' or '-'"}
	case strings.TrimSpace(c.Title) == "" || len(c.Title) > 200:
		return &ContentError{"title: required, at most 200 characters"}
	case len(c.Description) > 2000:
		return &ContentError{"description: at most 2000 characters"}
	case c.ScoreMaximum < 0:
		return &ContentError{"scoreMaximum: must not be negative"}
	}
	if err := checkAbsoluteURL(c.LaunchURL); err != nil {
		return &ContentError{"launchUrl: " + err.Error()}
	}
	if c.ActivityID == "" || !strings.Contains(c.ActivityID, ":") {
		return &ContentError{"activityId: an absolute IRI is required"}
	}
	seen := map[string]bool{}
	tags := c.Tags[:0:0]
	for _, t := range c.Tags {
		t = strings.ToLower(strings.TrimSpace(t))
		if t == "" || seen[t] {
			continue
		}
		if len(t) > 64 {
			return &ContentError{"tags: each at most 64 characters"}
		}
		seen[t] = true
		tags = append(tags, t)
	}
	sort.Strings(tags)
	c.Tags = tags
	return nil
}

// Scored reports whether the item sends scores back.
func (c Content) Scored() bool { return c.ScoreMaximum > 0 }

// SearchContents filters items by a free-text query over title,
// description and tags (all words must match, case-insensitive), sorted by
// title.
func SearchContents(items []Content, q string) []Content {
	words := strings.Fields(strings.ToLower(q))
	var out []Content
	for _, c := range items {
		hay := strings.ToLower(c.Title + " " + c.Description + " " + strings.Join(c.Tags, " "))
		ok := true
		for _, w := range words {
			if !strings.Contains(hay, w) {
				ok = false
				break
			}
		}
		if ok {
			out = append(out, c)
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Title != out[j].Title {
			return out[i].Title < out[j].Title
		}
		return out[i].ID < out[j].ID
	})
	return out
}

// ContentURL is the tool URL a deep-linked item launches (its
// target_link_uri); the launch routes on it.
func (t *Tool) ContentURL(id string) string { return t.URL("/lti/content/" + id) }

// ContentIDFromTarget returns the catalogue id a target_link_uri names, or
// "" when it is not a content URL of this tool.
func (t *Tool) ContentIDFromTarget(target string) string {
	prefix := t.URL("/lti/content/")
	if !strings.HasPrefix(target, prefix) {
		return ""
	}
	id := strings.TrimPrefix(target, prefix)
	if i := strings.IndexAny(id, "?#"); i >= 0 {
		id = id[:i]
	}
	if !contentIDRe.MatchString(id) {
		return ""
	}
	return id
}

// ContentItemFor is the ltiResourceLink content item for a catalogue item.
func (t *Tool) ContentItemFor(c Content) ContentItem {
	it := ContentItem{
		Type:   ContentTypeResourceLink,
		Title:  c.Title,
		Text:   c.Description,
		URL:    t.ContentURL(c.ID),
		Custom: map[string]string{"passport_content_id": c.ID},
	}
	if c.Scored() {
		it.LineItem = &DLLineItem{Label: c.Title, ScoreMaximum: c.ScoreMaximum, ResourceID: c.ID, Tag: "passport"}
	}
	return it
}

// ErrNoContent means the launch names no catalogue item.
var ErrNoContent = errors.New("launch names no catalogue item")

// LaunchContent finds the catalogue item a launch opens: from the
// target_link_uri (/lti/content/ID) or the passport_content_id custom value.
func (t *Tool) LaunchContent(ctx context.Context, cs ContentStore, l *Launch) (Content, error) {
	id := t.ContentIDFromTarget(l.TargetLinkURI)
	if id == "" {
		id = l.Custom["passport_content_id"]
	}
	if id == "" {
		return Content{}, ErrNoContent
	}
	c, err := cs.Content(ctx, l.Registration.Tenant, id)
	if err != nil {
		return Content{}, fmt.Errorf("launch content %q: %w", id, err)
	}
	return c, nil
}
