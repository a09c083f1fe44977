package lrs_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/passportbridge/passport/lrs"
)

func TestKeepSentAttachments(t *testing.T) {
	t.Parallel()
	const sent, notSent = "aa11", "bb22"
	tests := []struct {
		name  string
		atts  []lrs.AttachmentMeta
		parts []lrs.Part
		want  []string
	}{
		{"fileUrl attachment without a part is dropped", []lrs.AttachmentMeta{{SHA2: notSent, FileURL: "http://x.example/f"}}, nil, nil},
		{"attachment with its part is kept (hash case folded)", []lrs.AttachmentMeta{{SHA2: "AA11"}}, []lrs.Part{{SHA2: sent}}, []string{"AA11"}},
		{"fileUrl attachment whose data came too is kept", []lrs.AttachmentMeta{{SHA2: sent, FileURL: "http://x.example/f"}, {SHA2: notSent, FileURL: "http://x.example/g"}}, []lrs.Part{{SHA2: sent}}, []string{sent}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := &lrs.Statement{Attachments: tc.atts}
			lrs.KeepSentAttachments([]*lrs.Statement{s}, tc.parts)
			var got []string
			for _, a := range s.Attachments {
				got = append(got, a.SHA2)
			}
			assert.Equal(t, tc.want, got)
		})
	}
}
