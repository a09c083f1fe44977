package ltitest

import (
	"context"
	"errors"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/passportbridge/passport/internal/auth"
	"github.com/passportbridge/passport/lti"
	"github.com/passportbridge/passport/store"
)

// MemStore is an in-memory lti.Store for tests of the domain and HTTP
// layers; the real backends pass store/storetest instead.
type MemStore struct {
	mu     sync.Mutex
	regs   map[string]lti.Registration // tenant\x00id
	states map[string]lti.LoginState
	nonces map[string]time.Time   // tenant\x00nonce
	keys   map[string]lti.ToolKey // scope\x00kid
	ext    *memExtra
	gr     *memGrades
	tokens map[string]auth.Token // by hash
	// NRPSMarks keeps the NRPS differences links.
	NRPSMarks
}

var _ lti.Store = (*MemStore)(nil)

// NewMemStore returns an empty store.
func NewMemStore() *MemStore {
	return &MemStore{
		regs:   map[string]lti.Registration{},
		states: map[string]lti.LoginState{},
		nonces: map[string]time.Time{},
		keys:   map[string]lti.ToolKey{},
	}
}

func cloneReg(r lti.Registration) lti.Registration {
	r.Deployments = slices.Clone(r.Deployments)
	r.TargetHosts = slices.Clone(r.TargetHosts)
	return r
}

// CreateRegistration implements lti.RegistrationStore.
func (m *MemStore) CreateRegistration(_ context.Context, r lti.Registration) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, o := range m.regs {
		if o.ID == r.ID && o.Tenant == r.Tenant || o.Issuer == r.Issuer && o.ClientID == r.ClientID {
			return store.ErrConflict
		}
	}
	m.regs[r.Tenant+"\x00"+r.ID] = cloneReg(r)
	return nil
}

// RegistrationByClient implements lti.RegistrationStore.
func (m *MemStore) RegistrationByClient(_ context.Context, issuer, clientID string) (lti.Registration, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, r := range m.regs {
		if r.Issuer == issuer && r.ClientID == clientID {
			return cloneReg(r), nil
		}
	}
	return lti.Registration{}, store.ErrNotFound
}

// RegistrationsByIssuer implements lti.RegistrationStore.
func (m *MemStore) RegistrationsByIssuer(_ context.Context, issuer string, limit int) ([]lti.Registration, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []lti.Registration
	for _, r := range m.regs {
		if r.Issuer == issuer {
			out = append(out, cloneReg(r))
		}
	}
	sort.Slice(out, func(i, j int) bool {
		return out[i].Tenant+"\x00"+out[i].ID < out[j].Tenant+"\x00"+out[j].ID
	})
	if limit > 0 && len(out) > limit {
		out = out[:limit]
	}
	return out, nil
}

// Registration implements lti.RegistrationStore.
func (m *MemStore) Registration(_ context.Context, tenant, id string) (lti.Registration, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	r, ok := m.regs[tenant+"\x00"+id]
	if !ok {
		return lti.Registration{}, store.ErrNotFound
	}
	return cloneReg(r), nil
}

// Registrations implements lti.RegistrationStore.
func (m *MemStore) Registrations(_ context.Context, tenant string) ([]lti.Registration, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []lti.Registration
	for _, r := range m.regs {
		if r.Tenant == tenant {
			out = append(out, cloneReg(r))
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out, nil
}

// SetRegistrationDisabled implements lti.RegistrationStore.
func (m *MemStore) SetRegistrationDisabled(_ context.Context, tenant, id string, disabled bool) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	r, ok := m.regs[tenant+"\x00"+id]
	if !ok {
		return store.ErrNotFound
	}
	r.Disabled = disabled
	m.regs[tenant+"\x00"+id] = r
	return nil
}

// AddDeployment implements lti.RegistrationStore.
func (m *MemStore) AddDeployment(_ context.Context, tenant, registrationID, deploymentID string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	r, ok := m.regs[tenant+"\x00"+registrationID]
	if !ok {
		return store.ErrNotFound
	}
	if !slices.Contains(r.Deployments, deploymentID) {
		r.Deployments = append(r.Deployments, deploymentID)
	}
	m.regs[tenant+"\x00"+registrationID] = r
	return nil
}

// SaveLoginState implements lti.LoginStore.
func (m *MemStore) SaveLoginState(_ context.Context, s lti.LoginState) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.states[s.State]; ok {
		return store.ErrConflict
	}
	m.states[s.State] = s
	return nil
}

// LoginState implements lti.LoginStore.
func (m *MemStore) LoginState(_ context.Context, state string, now time.Time) (lti.LoginState, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	s, ok := m.states[state]
	if !ok || !now.Before(s.Expires) {
		return lti.LoginState{}, store.ErrNotFound
	}
	return s, nil
}

// ConsumeLogin implements lti.LoginStore.
func (m *MemStore) ConsumeLogin(_ context.Context, state, tenant, nonce string, nonceExp time.Time) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.states[state]; !ok {
		return store.ErrNotFound
	}
	k := tenant + "\x00" + nonce
	if _, ok := m.nonces[k]; ok {
		return store.ErrConflict
	}
	delete(m.states, state)
	m.nonces[k] = nonceExp
	return nil
}

// UseNonce implements lti.LoginStore.
func (m *MemStore) UseNonce(_ context.Context, tenant, nonce string, exp time.Time) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	k := tenant + "\x00" + nonce
	if _, ok := m.nonces[k]; ok {
		return store.ErrConflict
	}
	m.nonces[k] = exp
	return nil
}

// SweepLTI implements lti.LoginStore.
func (m *MemStore) SweepLTI(_ context.Context, now time.Time) (int, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	n := 0
	for k, s := range m.states {
		if !now.Before(s.Expires) {
			delete(m.states, k)
			n++
		}
	}
	for k, exp := range m.nonces {
		if !now.Before(exp) {
			delete(m.nonces, k)
			n++
		}
	}
	return n, nil
}

// ToolKeys implements lti.KeyStore.
func (m *MemStore) ToolKeys(_ context.Context, scope string) ([]lti.ToolKey, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []lti.ToolKey
	for k, v := range m.keys {
		if strings.HasPrefix(k, scope+"\x00") {
			out = append(out, v)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Created.After(out[j].Created) })
	return out, nil
}

// PutToolKey implements lti.KeyStore.
func (m *MemStore) PutToolKey(_ context.Context, k lti.ToolKey) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.keys[k.Scope+"\x00"+k.KID] = k
	return nil
}

// DeleteToolKey implements lti.KeyStore.
func (m *MemStore) DeleteToolKey(_ context.Context, scope, kid string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.keys[scope+"\x00"+kid]; !ok {
		return store.ErrNotFound
	}
	delete(m.keys, scope+"\x00"+kid)
	return nil
}

type memExtra struct {
	contents map[string]lti.Content
	users    map[string]lti.LTIUser
}

func (m *MemStore) extra() *memExtra {
	if m.ext == nil {
		m.ext = &memExtra{contents: map[string]lti.Content{}, users: map[string]lti.LTIUser{}}
	}
	return m.ext
}

// PutContent implements lti.ContentStore.
func (m *MemStore) PutContent(_ context.Context, c lti.Content) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	c.Tags = slices.Clone(c.Tags)
	m.extra().contents[c.Tenant+"\x00"+c.ID] = c
	return nil
}

// Content implements lti.ContentStore.
func (m *MemStore) Content(_ context.Context, tenant, id string) (lti.Content, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	c, ok := m.extra().contents[tenant+"\x00"+id]
	if !ok {
		return lti.Content{}, store.ErrNotFound
	}
	return c, nil
}

// Contents implements lti.ContentStore.
func (m *MemStore) Contents(_ context.Context, tenant string) ([]lti.Content, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []lti.Content
	for _, c := range m.extra().contents {
		if c.Tenant == tenant {
			out = append(out, c)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out, nil
}

// DeleteContent implements lti.ContentStore.
func (m *MemStore) DeleteContent(_ context.Context, tenant, id string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.extra().contents[tenant+"\x00"+id]; !ok {
		return store.ErrNotFound
	}
	delete(m.extra().contents, tenant+"\x00"+id)
	return nil
}

// LTIUser implements lti.IdentityStore.
func (m *MemStore) LTIUser(_ context.Context, tenant, issuer, subject string) (lti.LTIUser, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	u, ok := m.extra().users[tenant+"\x00"+issuer+"\x00"+subject]
	if !ok {
		return lti.LTIUser{}, store.ErrNotFound
	}
	return u, nil
}

// LTIUsersBySourcedID implements lti.IdentityStore.
func (m *MemStore) LTIUsersBySourcedID(_ context.Context, tenant, sourcedID string) ([]lti.LTIUser, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []lti.LTIUser
	for _, u := range m.extra().users {
		if u.Tenant == tenant && u.PersonSourcedID == sourcedID {
			out = append(out, u)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Created.Before(out[j].Created) })
	return out, nil
}

// CreateLTIUser implements lti.IdentityStore.
func (m *MemStore) CreateLTIUser(_ context.Context, u lti.LTIUser) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	k := u.Tenant + "\x00" + u.Issuer + "\x00" + u.Subject
	if _, ok := m.extra().users[k]; ok {
		return store.ErrConflict
	}
	m.extra().users[k] = u
	return nil
}

type memGrades struct {
	launches map[string]lti.LaunchRecord
	jobs     map[string]lti.ScoreJob
}

func (m *MemStore) grades() *memGrades {
	if m.gr == nil {
		m.gr = &memGrades{launches: map[string]lti.LaunchRecord{}, jobs: map[string]lti.ScoreJob{}}
	}
	return m.gr
}

// SaveLaunchRecord implements lti.GradeStore.
func (m *MemStore) SaveLaunchRecord(_ context.Context, r lti.LaunchRecord) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	k := r.Tenant + "\x00" + r.Attempt
	if _, ok := m.grades().launches[k]; ok {
		return store.ErrConflict
	}
	m.grades().launches[k] = r
	return nil
}

// LaunchRecord implements lti.GradeStore.
func (m *MemStore) LaunchRecord(_ context.Context, tenant, attempt string) (lti.LaunchRecord, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	r, ok := m.grades().launches[tenant+"\x00"+attempt]
	if !ok {
		return lti.LaunchRecord{}, store.ErrNotFound
	}
	return r, nil
}

// EnqueueScore implements lti.GradeStore.
func (m *MemStore) EnqueueScore(_ context.Context, j lti.ScoreJob) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	k := j.Tenant + "\x00" + j.ID
	if _, ok := m.grades().jobs[k]; ok {
		return store.ErrConflict
	}
	m.grades().jobs[k] = j
	return nil
}

// DueScores implements lti.GradeStore.
func (m *MemStore) DueScores(_ context.Context, now time.Time, limit int) ([]lti.ScoreJob, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []lti.ScoreJob
	for _, j := range m.grades().jobs {
		if j.State == lti.ScorePending && !j.NextAttempt.After(now) {
			out = append(out, j)
		}
	}
	sort.Slice(out, func(i, k int) bool { return out[i].NextAttempt.Before(out[k].NextAttempt) })
	if limit > 0 && len(out) > limit {
		out = out[:limit]
	}
	return out, nil
}

// UpdateScoreJob implements lti.GradeStore.
func (m *MemStore) UpdateScoreJob(_ context.Context, j lti.ScoreJob) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	k := j.Tenant + "\x00" + j.ID
	if _, ok := m.grades().jobs[k]; !ok {
		return store.ErrNotFound
	}
	m.grades().jobs[k] = j
	return nil
}

// CommitLaunch implements lti.LaunchCommitter: all or nothing, under one
// lock. Tokens are kept for LaunchToken.
func (m *MemStore) CommitLaunch(_ context.Context, c lti.LaunchCommit) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.states[c.State]; !ok {
		return store.ErrNotFound
	}
	nk := c.Tenant + "\x00" + c.Nonce
	if _, ok := m.nonces[nk]; ok {
		return store.ErrConflict
	}
	rk := c.Tenant + "\x00" + c.RegistrationID
	r, regOK := m.regs[rk]
	if c.NewDeploymentID != "" && !regOK {
		return errors.New("commit launch: registration vanished")
	}
	var uk string
	if u := c.User; u != nil {
		uk = u.Tenant + "\x00" + u.Issuer + "\x00" + u.Subject
		if _, ok := m.extra().users[uk]; ok {
			return lti.ErrUserLinked
		}
	}
	if c.Token != nil {
		if _, ok := m.tokens[c.Token.Hash]; ok {
			return store.ErrConflict
		}
	}
	delete(m.states, c.State)
	m.nonces[nk] = c.NonceExp
	if c.NewDeploymentID != "" && !slices.Contains(r.Deployments, c.NewDeploymentID) {
		r.Deployments = append(slices.Clip(r.Deployments), c.NewDeploymentID)
		m.regs[rk] = r
	}
	if c.User != nil {
		m.extra().users[uk] = *c.User
	}
	if c.Record != nil {
		k := c.Record.Tenant + "\x00" + c.Record.Attempt
		if _, ok := m.grades().launches[k]; !ok {
			m.grades().launches[k] = *c.Record
		}
	}
	if c.Token != nil {
		if m.tokens == nil {
			m.tokens = map[string]auth.Token{}
		}
		m.tokens[c.Token.Hash] = *c.Token
	}
	return nil
}

// LaunchToken returns a token CommitLaunch stored, by hash.
func (m *MemStore) LaunchToken(hash string) (auth.Token, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	t, ok := m.tokens[hash]
	return t, ok
}
