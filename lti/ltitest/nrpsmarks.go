package ltitest

import (
	"context"
	"sync"

	"github.com/passportbridge/passport/lti"
	"github.com/passportbridge/passport/store"
)

// NRPSMarks is an in-memory lti.NRPSMarkStore.
type NRPSMarks struct {
	mu    sync.Mutex
	links map[string]string
}

var _ lti.NRPSMarkStore = (*NRPSMarks)(nil)

func nrpsKey(tenant, registrationID, membershipsURL string) string {
	return tenant + "\x00" + registrationID + "\x00" + membershipsURL
}

// NRPSDifferences returns the stored link; store.ErrNotFound if none.
func (n *NRPSMarks) NRPSDifferences(_ context.Context, tenant, registrationID, membershipsURL string) (string, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	l, ok := n.links[nrpsKey(tenant, registrationID, membershipsURL)]
	if !ok {
		return "", store.ErrNotFound
	}
	return l, nil
}

// SetNRPSDifferences stores the link; "" removes it.
func (n *NRPSMarks) SetNRPSDifferences(_ context.Context, tenant, registrationID, membershipsURL, differencesURL string) error {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.links == nil {
		n.links = map[string]string{}
	}
	k := nrpsKey(tenant, registrationID, membershipsURL)
	if differencesURL == "" {
		delete(n.links, k)
		return nil
	}
	n.links[k] = differencesURL
	return nil
}
