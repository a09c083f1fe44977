package openemisfake

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/passportbridge/passport/connectors/connectortest/fault"
)

// Credentials New accepts.
const (
	Username = "bridge"
	Password = "emis-pass"
	APIKey   = "key-123"
)

// Row is one resource record (a JSON object).
type Row = map[string]any

// Server is a fake OpenEMIS Core. The list response shape
// ({"data": [...], "total": n}) and the _conditions syntax for several
// fields (comma-separated field:value pairs) are not verified against a
// real server; the client accepts the Laravel-style paginated form too.
type Server struct {
	fault.Injector // FailNext, FailAfter, Stall

	mu       sync.Mutex
	tables   map[string][]Row
	tokens   map[string]bool
	reads    int
	writes   int
	maxLimit int
}

// New returns an empty server.
func New() *Server {
	return &Server{tables: map[string][]Row{}, tokens: map[string]bool{}, maxLimit: 100}
}

// Add appends rows to a resource table (each row needs an "id").
func (s *Server) Add(resource string, rows ...Row) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tables[resource] = append(s.tables[resource], rows...)
}

// Set replaces a field of the row with that id.
func (s *Server) Set(resource string, id int, field string, v any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, r := range s.tables[resource] {
		if asInt(r["id"]) == id {
			r[field] = v
		}
	}
}

// Remove deletes the row with that id.
func (s *Server) Remove(resource string, id int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	rows := s.tables[resource][:0]
	for _, r := range s.tables[resource] {
		if asInt(r["id"]) != id {
			rows = append(rows, r)
		}
	}
	s.tables[resource] = rows
}

// ExpireTokens invalidates every issued token.
func (s *Server) ExpireTokens() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tokens = map[string]bool{}
}

// Writes counts non-GET requests other than login.
func (s *Server) Writes() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.writes
}

func asInt(v any) int {
	switch x := v.(type) {
	case int:
		return x
	case float64:
		return int(x)
	case string:
		n, _ := strconv.Atoi(x)
		return n
	}
	return 0
}

func newToken() string {
	b := make([]byte, 24)
	_, _ = rand.Read(b)
	return "eyJhbGciOiJIUzI1NiJ9." + hex.EncodeToString(b)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// ServeHTTP implements /api/v5/login and GET /api/v5/{resource}[/{id}].
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if s.Intercept(w, r, "") {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	path := strings.Trim(r.URL.Path, "/")
	if !strings.HasPrefix(path, "api/v5/") && !strings.HasPrefix(path, "api/v4/") {
		writeJSON(w, http.StatusNotFound, map[string]any{"message": "Not Found"})
		return
	}
	parts := strings.Split(path, "/")[2:]
	if parts[0] == "login" {
		if r.Method != http.MethodPost {
			writeJSON(w, http.StatusMethodNotAllowed, map[string]any{"message": "Method Not Allowed"})
			return
		}
		var in struct {
			Username string `json:"username"`
			Password string `json:"password"`
			APIKey   string `json:"api_key"`
		}
		if err := json.Unmarshal(body, &in); err != nil || in.Username != Username || in.Password != Password || in.APIKey != APIKey {
			writeJSON(w, http.StatusUnauthorized, map[string]any{"message": "Invalid login credentials", "data": nil})
			return
		}
		t := newToken()
		s.tokens[t] = true
		writeJSON(w, http.StatusOK, map[string]any{"message": "Login successful", "data": map[string]any{"token": t}})
		return
	}
	tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok || !s.tokens[tok] {
		writeJSON(w, http.StatusUnauthorized, map[string]any{"message": "Unauthorized"})
		return
	}
	if r.Method != http.MethodGet {
		s.writes++
		writeJSON(w, http.StatusForbidden, map[string]any{"message": "Forbidden"})
		return
	}
	s.reads++
	rows, known := s.tables[parts[0]]
	if !known {
		writeJSON(w, http.StatusNotFound, map[string]any{"message": "Resource " + parts[0] + " not found"})
		return
	}
	if len(parts) == 2 {
		id, _ := strconv.Atoi(parts[1])
		for _, row := range rows {
			if asInt(row["id"]) == id {
				writeJSON(w, http.StatusOK, map[string]any{"data": row})
				return
			}
		}
		writeJSON(w, http.StatusNotFound, map[string]any{"message": "Record not found"})
		return
	}
	conds, err := parseConditions(r.URL.Query().Get("_conditions"))
	if err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]any{"message": err.Error()})
		return
	}
	var match []Row
	for _, row := range rows {
		ok := true
		for k, v := range conds {
			if fmt.Sprint(row[k]) != v {
				ok = false
			}
		}
		if ok {
			match = append(match, row)
		}
	}
	sort.Slice(match, func(i, j int) bool { return asInt(match[i]["id"]) < asInt(match[j]["id"]) })
	limit, _ := strconv.Atoi(r.URL.Query().Get("limit"))
	if limit <= 0 || limit > s.maxLimit {
		limit = s.maxLimit
	}
	page, _ := strconv.Atoi(r.URL.Query().Get("page"))
	page = max(page, 1)
	from := min((page-1)*limit, len(match))
	to := min(from+limit, len(match))
	out := match[from:to]
	if out == nil {
		out = []Row{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"data": out, "total": len(match), "page": page, "limit": limit})
}

func parseConditions(s string) (map[string]string, error) {
	out := map[string]string{}
	if s == "" {
		return out, nil
	}
	for _, c := range strings.Split(s, ",") {
		k, v, ok := strings.Cut(c, ":")
		if !ok || k == "" {
			return nil, fmt.Errorf("bad _conditions %q", c)
		}
		out[k] = v
	}
	return out, nil
}
