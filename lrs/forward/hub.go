package forward

import (
	"context"
	"sync"
	"time"

	"github.com/passportbridge/passport/lrs"
)

// Hub wakes the forwarders of a tenant when statements are stored there.
type Hub struct {
	mu  sync.RWMutex
	fwd map[string][]*Forwarder
}

// Add registers f to be woken for its rule's tenant.
func (h *Hub) Add(f *Forwarder) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.fwd == nil {
		h.fwd = map[string][]*Forwarder{}
	}
	h.fwd[f.rule.Tenant] = append(h.fwd[f.rule.Tenant], f)
}

// Notify wakes every forwarder of tenant.
func (h *Hub) Notify(tenant string) {
	h.mu.RLock()
	defer h.mu.RUnlock()
	for _, f := range h.fwd[tenant] {
		f.Wake()
	}
}

// NotifyingStore is an lrs.Store that wakes the hub's forwarders after
// every successful SaveStatements, so that forwarding starts at once
// instead of at the next poll.
type NotifyingStore struct {
	lrs.Store
	Hub *Hub
}

var _ lrs.Store = NotifyingStore{}

// SaveStatements saves through the wrapped store, then notifies.
func (n NotifyingStore) SaveStatements(ctx context.Context, tenant string, now time.Time, ss []*lrs.Statement, parts []lrs.Part) error {
	if err := n.Store.SaveStatements(ctx, tenant, now, ss, parts); err != nil {
		return err
	}
	n.Hub.Notify(tenant)
	return nil
}
