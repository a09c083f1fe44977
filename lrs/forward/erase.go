package forward

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/url"
	"time"

	"github.com/google/uuid"

	"github.com/passportbridge/passport/lrs"
)

// ErasureRequest asks to erase one learner from one tenant.
type ErasureRequest struct {
	Tenant string
	// Agent is the learner as an xAPI Agent JSON object with one IFI.
	Agent []byte
	// RequestedBy is the credential key that asked, or "cli".
	RequestedBy string
	// DryRun counts without deleting (and writes no audit record).
	DryRun bool
}

// AgentKeyOf validates an xAPI Agent JSON object and returns its IFI key
// (lrs.AgentKey), or a *lrs.ValidationError naming the problem.
func AgentKeyOf(agent []byte) (string, error) {
	q, err := lrs.ParseQuery(url.Values{"agent": {string(agent)}}, lrs.V2)
	if err != nil {
		return "", err
	}
	if q.Agent == "" {
		return "", &lrs.ValidationError{Field: "agent", Reason: "must identify one agent by an IFI"}
	}
	return q.Agent, nil
}

// Erase erases the learner of req and, unless it is a dry run, stores an
// audit record holding only counts, the time, who asked and a salted hash
// of the learner's IFI. It returns the record (with a zero ID on a dry run).
func Erase(ctx context.Context, s Eraser, req ErasureRequest, now time.Time) (ErasureRecord, error) {
	key, err := AgentKeyOf(req.Agent)
	if err != nil {
		return ErasureRecord{}, err
	}
	counts, err := s.EraseAgent(ctx, req.Tenant, key, req.DryRun)
	if err != nil {
		return ErasureRecord{}, err
	}
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		return ErasureRecord{}, fmt.Errorf("erasure salt: %w", err)
	}
	rec := ErasureRecord{
		Tenant: req.Tenant, At: now.UTC(), RequestedBy: req.RequestedBy,
		Salt: hex.EncodeToString(salt), SubjectHash: SubjectHash(hex.EncodeToString(salt), key), ErasureCounts: counts,
	}
	if req.DryRun {
		return rec, nil
	}
	rec.ID = uuid.New()
	if err := s.AddErasureRecord(ctx, rec); err != nil {
		return ErasureRecord{}, fmt.Errorf("erasure done but not audited: %w", err)
	}
	return rec, nil
}

// SubjectHash is the hex HMAC-SHA256 of an IFI key under a record's salt:
// whoever holds a learner's IFI can check whether a record is theirs, but
// the record alone does not reveal it.
func SubjectHash(salt, agentKey string) string {
	m := hmac.New(sha256.New, []byte(salt))
	m.Write([]byte(agentKey))
	return hex.EncodeToString(m.Sum(nil))
}
