package forward_test

import (
	"bytes"
	"fmt"
	"net/http"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/passportbridge/passport/internal/auth"
	"github.com/passportbridge/passport/lrs"
	"github.com/passportbridge/passport/lrs/forward"
)

// statementJSON is a realistic statement with a fixed id.
func statementJSON(id uuid.UUID, i int) string {
	return fmt.Sprintf(`{"id":%q,"actor":{"objectType":"Agent","name":"Learner %d","mbox":"mailto:learner%d@camp.example"},
		"verb":{"id":"http://adlnet.gov/expapi/verbs/completed","display":{"en-US":"completed"}},
		"object":{"id":"https://camp.example/activities/lesson-%d","definition":{"name":{"en-US":"Lesson %d"}}},
		"result":{"score":{"scaled":0.%d},"completion":true},"context":{"registration":%q}}`,
		id.String(), i%3, i%3, i%5, i%5, i%10, uuid.NewSHA1(uuid.NameSpaceURL, []byte("reg")).String())
}

// TestForwardOverDroppingLink runs two passport instances, camp and
// central, with forwarding from camp to central through a link that
// refuses, drops mid-way and loses replies; once the link is back every
// statement is at central exactly once and in camp's order.
func TestForwardOverDroppingLink(t *testing.T) {
	t.Parallel()
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			camp := newInstance(t, b.open(t))
			central := newInstance(t, b.open(t))
			link := newProxy(t, central.URL[len("http://"):])
			f := forward.New(forward.Rule{
				ID: "central", Tenant: auth.DefaultTenant, URL: "http://" + link.Addr() + "/xapi/",
				Key: central.Key, Secret: central.Secret, Batch: 7,
			}, camp.Store, forward.Options{Client: testClient(t), Logger: testLogger(t)})
			ctx := t.Context()
			var ids []uuid.UUID
			postBatch := func(version string, n int) {
				var sts []string
				for range n {
					id := uuid.New()
					ids = append(ids, id)
					sts = append(sts, statementJSON(id, len(ids)))
				}
				camp.postJSON(t, version, sts...)
			}

			// 1. Offline: the link refuses. Nothing moves, nothing is lost.
			link.set(linkDown, -1)
			postBatch("1.0.3", 10)
			postBatch("2.0.0", 5)
			res, err := f.RunOnce(ctx)
			require.Error(t, err)
			assert.Zero(t, res.Forwarded)
			cur, err := camp.Store.ForwardCursor(ctx, auth.DefaultTenant, "central")
			require.NoError(t, err)
			assert.Nil(t, cur, "the cursor moves only after an acknowledgement")
			assert.Empty(t, logIDs(t, central.Store))

			// 2. The link comes back: everything arrives.
			link.set(linkUp, -1)
			res, err = f.RunOnce(ctx)
			require.NoError(t, err)
			assert.True(t, res.CaughtUp)
			assert.Equal(t, 15, res.Forwarded)

			// 3. More statements, a voiding one and an attachment; the link
			// drops after two requests.
			postBatch("1.0.3", 20)
			voided := ids[3]
			voiding := uuid.New()
			ids = append(ids, voiding)
			camp.postJSON(t, "1.0.3", fmt.Sprintf(`{"id":%q,"actor":{"mbox":"mailto:teacher@camp.example"},
				"verb":{"id":%q,"display":{"en-US":"voided"}},"object":{"objectType":"StatementRef","id":%q}}`,
				voiding, lrs.VerbVoided, voided))
			data := []byte("a drawing of a house")
			hash := lrs.HashHex("", data)
			withAtt := uuid.New()
			ids = append(ids, withAtt)
			var mp bytes.Buffer
			ct, err := lrs.WriteMultipart(&mp, []byte(fmt.Sprintf(`[{"id":%q,"actor":{"mbox":"mailto:learner1@camp.example"},
				"verb":{"id":"http://adlnet.gov/expapi/verbs/attempted"},"object":{"id":"https://camp.example/activities/draw"},
				"attachments":[{"usageType":"http://id.tincanapi.com/attachment/supporting_media","display":{"en-US":"drawing"},
				"contentType":"text/plain","length":%d,"sha2":%q}]}]`, withAtt, len(data), hash)),
				[]lrs.Part{{ContentType: "text/plain", SHA2: hash, Data: data}})
			require.NoError(t, err)
			status, body := camp.post(t, "1.0.3", ct, mp.Bytes())
			require.Equal(t, http.StatusOK, status, string(body))
			postBatch("2.0.0", 3)

			link.set(linkUp, 2)
			res, err = f.RunOnce(ctx)
			require.Error(t, err, "the link went down mid-way")
			assert.Equal(t, 14, res.Forwarded, "two batches got through")
			assert.Len(t, logIDs(t, central.Store), 15+14)

			// 4. The replies are lost: central stores, camp does not know.
			link.set(linkLoseReplies, -1)
			_, err = f.RunOnce(ctx)
			require.Error(t, err)
			lost := len(logIDs(t, central.Store))
			assert.Greater(t, lost, 15+14, "central took the batch whose reply was lost")

			// 5. The link is back for good: the rest arrives, nothing twice.
			link.set(linkUp, -1)
			res, err = f.RunOnce(ctx)
			require.NoError(t, err)
			assert.True(t, res.CaughtUp)
			assert.Zero(t, res.DeadLettered)

			want := make([]string, len(ids))
			for i, id := range ids {
				want[i] = id.String()
			}
			assert.Equal(t, want, logIDs(t, central.Store), "every statement exactly once, in order")
			assert.Equal(t, want, logIDs(t, camp.Store))

			_, err = central.Store.Statement(ctx, auth.DefaultTenant, voided, true)
			require.NoError(t, err, "the voiding statement voided its target downstream too")
			parts, err := central.Store.Attachments(ctx, auth.DefaultTenant, []string{hash})
			require.NoError(t, err)
			require.Len(t, parts, 1, "the attachment went along (multipart/mixed)")
			assert.Equal(t, data, parts[0].Data)
			dead, err := camp.Store.DeadLetters(ctx, auth.DefaultTenant, "central", false, 10)
			require.NoError(t, err)
			assert.Empty(t, dead)

			// A replay from the start re-sends everything: the downstream
			// ignores what it has, so still nothing twice.
			require.NoError(t, camp.Store.SetForwardCursor(ctx, auth.DefaultTenant, "central", nil))
			res, err = f.RunOnce(ctx)
			require.NoError(t, err)
			assert.Equal(t, len(ids), res.Forwarded)
			assert.Equal(t, want, logIDs(t, central.Store))
		})
	}
}
