package ltihttp

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"github.com/passportbridge/passport/internal/auth"
	"github.com/passportbridge/passport/internal/httpauth"
	"github.com/passportbridge/passport/internal/httperr"
	"github.com/passportbridge/passport/internal/server"
	"github.com/passportbridge/passport/lti"
	"github.com/passportbridge/passport/store"
)

// Handler serves the LTI tool: login initiation, launch, the tool's key
// set, the deep-linking picker, Dynamic Registration and the catalogue
// admin API.
type Handler struct {
	Tool *lti.Tool
	// Store is the tool's store (the same as Tool.Store).
	Store lti.Store
	// Auth authenticates the admin API; nil leaves it unmounted.
	Auth *auth.Authenticator
	// Client makes Dynamic Registration's outbound calls.
	Client lti.Doer
	Logger *slog.Logger
	// OpenRegistration lets Dynamic Registration run without an invite
	// (into the default tenant); off by default, so only platforms given an
	// invite URL by an administrator (passport lti invite) can register.
	OpenRegistration bool
	// Credentials and Recorder connect launches to the LRS; either may be
	// nil (content then opens without xAPI parameters / the launch is not
	// recorded).
	Credentials lti.XAPICredentials
	Recorder    lti.LaunchRecorder
	// Grader remembers launches of scored items so their results go back
	// to the platform's gradebook; nil turns grade passback off.
	Grader *lti.Grader
	// Timeout bounds each request's store and network work; default 20 s.
	Timeout time.Duration
}

var _ server.Mounter = (*Handler)(nil)

// Mount adds the LTI routes.
func (h *Handler) Mount(r fiber.Router) {
	r.Get(lti.PathLogin, h.login)
	r.Post(lti.PathLogin, h.login)
	r.Post(lti.PathLaunch, h.launch)
	r.Get(lti.PathLaunch, func(*fiber.Ctx) error {
		return httperr.New(http.StatusMethodNotAllowed, "Launches arrive from your learning platform. Open the activity from your course.")
	})
	r.Get(lti.PathJWKS, h.jwks)
	r.Get("/.well-known/jwks.json", h.jwks)
	r.Post(lti.PathDeepLink, h.deepLink)
	r.Get(lti.PathRegister, h.register)
	r.Get("/lti/content/:id", h.sessionContent)
	if h.Auth != nil {
		admin := r.Group("/admin/lti", httpauth.Any(h.Auth), httpauth.Require("admin"))
		admin.Get("/content", h.listContent)
		admin.Get("/content/:id", h.getContent)
		admin.Put("/content/:id", h.putContent)
		admin.Delete("/content/:id", h.deleteContent)
		admin.Get("/registrations", h.listRegistrations)
	}
}

func (h *Handler) logger() *slog.Logger {
	if h.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return h.Logger
}

func (h *Handler) ctx(c *fiber.Ctx) (context.Context, context.CancelFunc) {
	d := h.Timeout
	if d <= 0 {
		d = 20 * time.Second
	}
	return context.WithTimeout(c.UserContext(), d)
}

// refusal turns a domain refusal into an HTTP error with the plain-words
// message, and logs the technical reason (no personal data in it).
func (h *Handler) refusal(ctx context.Context, where string, err error) error {
	var le *lti.Error
	if errors.As(err, &le) {
		h.logger().InfoContext(ctx, "lti request refused", "step", where, "reason", string(le.Reason), "status", le.HTTPStatus(), "detail", le.Error())
		return httperr.Wrap(le.HTTPStatus(), le.Public(), err).WithCode(string(le.Reason))
	}
	return err
}

// formValues copies the query (GET) or the urlencoded form (POST).
func formValues(c *fiber.Ctx) url.Values {
	v := url.Values{}
	c.Context().QueryArgs().VisitAll(func(k, val []byte) { v.Add(string(k), string(val)) })
	if c.Method() == fiber.MethodPost {
		c.Context().PostArgs().VisitAll(func(k, val []byte) { v.Add(string(k), string(val)) })
	}
	return v
}

func noStore(c *fiber.Ctx) {
	c.Set(fiber.HeaderCacheControl, "no-store")
	c.Set("Pragma", "no-cache")
}

func (h *Handler) html(c *fiber.Ctx, status int, name string, data any) error {
	noStore(c)
	c.Set(fiber.HeaderContentType, fiber.MIMETextHTMLCharsetUTF8)
	c.Set("X-Content-Type-Options", "nosniff")
	c.Status(status)
	return render(c.Response().BodyWriter(), name, data)
}

// stateCookies binds a login to the browser: a SameSite=None cookie and a
// partitioned (CHIPS) twin for browsers that partition third-party cookies.
func stateCookies(c *fiber.Ctx, state string, maxAge int) {
	name := lti.StateCookieName(state)
	value := state
	if maxAge <= 0 {
		value = ""
	}
	base := fmt.Sprintf("=%s; Path=/lti/; Max-Age=%d; HttpOnly; Secure; SameSite=None", value, maxAge)
	c.Response().Header.Add(fiber.HeaderSetCookie, name+base)
	c.Response().Header.Add(fiber.HeaderSetCookie, name+"_p"+base+"; Partitioned")
}

func (h *Handler) login(c *fiber.Ctx) error {
	ctx, cancel := h.ctx(c)
	defer cancel()
	res, err := h.Tool.Login(ctx, lti.LoginParamsFrom(formValues(c)))
	if err != nil {
		return h.refusal(ctx, "login", err)
	}
	stateCookies(c, res.State, int(res.Expires.Sub(h.Tool.Now()).Seconds()))
	if res.Storage != nil {
		return h.html(c, http.StatusOK, "storage-login", map[string]any{
			"Title": "Connecting",
			"Next":  res.RedirectURL,
			"Data": jsonData(map[string]string{
				"target": res.Storage.Target, "origin": res.Storage.Origin,
				"key": res.Storage.Key, "value": res.Storage.Value, "next": res.RedirectURL,
			}),
		})
	}
	noStore(c)
	return c.Redirect(res.RedirectURL, http.StatusFound)
}

func (h *Handler) launch(c *fiber.Ctx) error {
	ctx, cancel := h.ctx(c)
	defer cancel()
	form := formValues(c)
	p := lti.LaunchParamsFrom(form)
	if p.State != "" {
		p.CookieState = c.Cookies(lti.StateCookieName(p.State))
		if p.CookieState == "" {
			p.CookieState = c.Cookies(lti.StateCookieName(p.State) + "_p")
		}
	}
	var prep contentLaunch
	l, check, err := h.Tool.LaunchWith(ctx, p, func(ctx context.Context, l *lti.Launch) (lti.LaunchWrites, error) {
		if l.MessageType == lti.MessageDeepLinkingRequest {
			return lti.LaunchWrites{}, nil
		}
		return h.prepareContent(ctx, l, &prep)
	})
	if err != nil {
		return h.refusal(ctx, "launch", err)
	}
	if check != nil {
		fields := map[string]string{"id_token": p.IDToken, "state": p.State}
		return h.html(c, http.StatusOK, "storage-check", map[string]any{
			"Title":  "Checking your sign-in",
			"Action": h.Tool.URL(lti.PathLaunch),
			"Fields": fields,
			"Data":   jsonData(map[string]string{"check": "platform-storage", "target": check.Target, "origin": check.Origin, "key": check.Key}),
		})
	}
	stateCookies(c, p.State, -1)
	h.logger().InfoContext(ctx, "lti launch accepted", "tenant", l.Registration.Tenant, "registration", l.Registration.ID,
		"deployment_id", l.DeploymentID, "message_type", l.MessageType, "anonymous", l.Anonymous())
	if l.MessageType == lti.MessageDeepLinkingRequest {
		return h.picker(c, ctx, l, "", "")
	}
	return h.openContent(c, ctx, l, &prep)
}

// contentLaunch is what a resource-link launch prepared before its commit:
// the catalogue item (or why there is none), the learner and the attempt,
// and the xAPI credential whose token the commit stored.
type contentLaunch struct {
	content    lti.Content
	contentErr error
	li         lti.LaunchInfo
	learner    bool // li is set: a learner launched a catalogue item
	cred       *lti.PreparedXAPI
	credErr    error
}

// prepareContent reads what the content page of a launch needs and returns
// the records to store in the launch's one write: a first-seen learner's
// link, the grade record of a scored item and the xAPI launch token.
func (h *Handler) prepareContent(ctx context.Context, l *lti.Launch, p *contentLaunch) (lti.LaunchWrites, error) {
	*p = contentLaunch{}
	p.content, p.contentErr = h.Tool.LaunchContent(ctx, h.Store, l)
	if p.contentErr != nil {
		if errors.Is(p.contentErr, store.ErrNotFound) || errors.Is(p.contentErr, lti.ErrNoContent) {
			return lti.LaunchWrites{}, nil // rendered after the launch is committed
		}
		return lti.LaunchWrites{}, p.contentErr
	}
	if l.Anonymous() {
		return lti.LaunchWrites{}, nil
	}
	learner, isNew, err := h.Tool.FindLearner(ctx, h.Store, l)
	if err != nil {
		return lti.LaunchWrites{}, fmt.Errorf("resolve learner: %w", err)
	}
	var w lti.LaunchWrites
	if isNew {
		w.User = &learner
	}
	li := lti.LaunchInfo{
		Tenant: l.Registration.Tenant, RegistrationID: l.Registration.ID, DeploymentID: l.DeploymentID,
		Issuer: l.Registration.Issuer, Learner: learner, Content: p.content, Attempt: uuid.NewString(),
		Roles: l.Roles, AGS: l.Claims.AGS, LaunchedAt: h.Tool.Now(),
	}
	if l.Claims.ResourceLink != nil {
		li.ResourceLinkID = l.Claims.ResourceLink.ID
	}
	if l.Claims.Context != nil {
		li.ContextID = l.Claims.Context.ID
	}
	p.li, p.learner = li, true
	if h.Grader != nil {
		w.Record = h.Grader.LaunchRecordFor(li)
	}
	if cp, ok := h.Credentials.(lti.XAPICredentialPreparer); ok {
		cred, err := cp.PrepareXAPICredentials(ctx, li)
		if err != nil {
			p.credErr = err
		} else {
			p.cred, w.Token = &cred, cred.Token
		}
	}
	return w, nil
}

// openContent renders the content page of a committed resource-link launch.
func (h *Handler) openContent(c *fiber.Ctx, ctx context.Context, l *lti.Launch, p *contentLaunch) error {
	if errors.Is(p.contentErr, store.ErrNotFound) {
		return httperr.Wrap(http.StatusNotFound, "This activity is no longer in the Passport catalogue. Ask your teacher to choose it again.", p.contentErr)
	}
	if errors.Is(p.contentErr, lti.ErrNoContent) {
		return h.html(c, http.StatusOK, "landing", map[string]any{
			"Title":   "Passport",
			"Teacher": slices.Contains(l.Roles, lti.RoleTeacher) || slices.Contains(l.Roles, lti.RoleAdmin),
		})
	}
	if p.contentErr != nil {
		return p.contentErr
	}
	content := p.content
	h.startSession(c, ctx, l, p)
	data := map[string]any{
		"Title": content.Title, "Content": content, "Anonymous": l.Anonymous(),
		"ReturnURL": lti.ReturnURL(l, "Back from "+content.Title, "", "", ""),
	}
	data["LaunchURL"] = content.LaunchURL
	if l.Anonymous() || !p.learner {
		return h.html(c, http.StatusOK, "content", data)
	}
	li := p.li
	// The learner link, the grade record and the launch token were stored
	// with the launch; the launch statement goes to the LRS now, beside the
	// token of a credential that could not be prepared with the launch.
	cred, credErr := p.cred, p.credErr
	var wg sync.WaitGroup
	if h.Credentials != nil && cred == nil && credErr == nil {
		wg.Add(1)
		go func() {
			defer wg.Done()
			e, a, exp, err := h.Credentials.XAPICredentials(ctx, li)
			cred, credErr = &lti.PreparedXAPI{Endpoint: e, Authorization: a, Expires: exp}, err
		}()
	}
	if h.Recorder != nil {
		if err := h.Recorder.RecordLaunch(ctx, li); err != nil {
			h.logger().WarnContext(ctx, "lti launch not recorded", "tenant", li.Tenant, "err", err)
		}
	}
	wg.Wait()
	if h.Credentials != nil {
		if credErr != nil {
			h.logger().WarnContext(ctx, "xapi credentials not issued", "tenant", li.Tenant, "err", credErr)
			data["LaunchURL"] = ""
		} else if u, err := h.Tool.XAPILaunchURL(li, cred.Endpoint, cred.Authorization); err == nil {
			data["LaunchURL"] = u
		}
	}
	return h.html(c, http.StatusOK, "content", data)
}

// picker renders the deep-linking selection page.
func (h *Handler) picker(c *fiber.Ctx, ctx context.Context, l *lti.Launch, session, q string) error {
	if session == "" {
		var err error
		if session, err = h.Tool.DeepLinkSession(ctx, l); err != nil {
			return fmt.Errorf("deep link session: %w", err)
		}
	}
	items, err := h.Store.Contents(ctx, l.Registration.Tenant)
	if err != nil {
		return fmt.Errorf("list catalogue: %w", err)
	}
	s := l.Claims.DeepLinking
	unsupported := !lti.CanOffer(s)
	if unsupported {
		items = nil
	}
	return h.html(c, http.StatusOK, "picker", map[string]any{
		"Title":       "Choose an activity",
		"Action":      h.Tool.URL(lti.PathDeepLink),
		"Session":     session,
		"Query":       q,
		"Items":       lti.SearchContents(items, q),
		"Multiple":    s.AcceptMultiple != nil && bool(*s.AcceptMultiple),
		"Unsupported": unsupported,
	})
}

// deepLink handles the picker form: search again, or answer the platform.
func (h *Handler) deepLink(c *fiber.Ctx) error {
	ctx, cancel := h.ctx(c)
	defer cancel()
	form := formValues(c)
	session := form.Get("session")
	l, err := h.Tool.ResumeDeepLink(ctx, session)
	if err != nil {
		return h.refusal(ctx, "deep_link", err)
	}
	reply := lti.DeepLinkReply{}
	switch form.Get("action") {
	case "search":
		return h.picker(c, ctx, l, session, form.Get("q"))
	case "cancel":
		reply.Msg = "No Passport activity was added."
	default:
		ids := form["item"]
		if len(ids) == 0 {
			return h.picker(c, ctx, l, session, form.Get("q"))
		}
		for _, id := range ids {
			ct, err := h.Store.Content(ctx, l.Registration.Tenant, id)
			if errors.Is(err, store.ErrNotFound) {
				return httperr.Wrap(http.StatusBadRequest, "That activity is no longer in the catalogue. Please choose again.", err)
			}
			if err != nil {
				return fmt.Errorf("load catalogue item: %w", err)
			}
			reply.Items = append(reply.Items, h.Tool.ContentItemFor(ct))
		}
		reply.Msg = "Passport activities added: " + strconv.Itoa(len(reply.Items)) + "."
	}
	resp, err := h.Tool.DeepLink(ctx, l, reply)
	if err != nil {
		return h.refusal(ctx, "deep_link", err)
	}
	return h.html(c, http.StatusOK, "autopost", map[string]any{
		"Title": "Returning to your course", "Heading": "Returning to your course…",
		"Action": resp.ReturnURL, "Fields": map[string]string{"JWT": resp.JWT},
	})
}

func (h *Handler) jwks(c *fiber.Ctx) error {
	ctx, cancel := h.ctx(c)
	defer cancel()
	set, err := h.Tool.Keys.PublicSet(ctx)
	if err != nil {
		return fmt.Errorf("tool key set: %w", err)
	}
	b, err := json.Marshal(set)
	if err != nil {
		return fmt.Errorf("encode tool key set: %w", err)
	}
	c.Set(fiber.HeaderCacheControl, "public, max-age=300")
	c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSON)
	return c.Send(b)
}

func (h *Handler) register(c *fiber.Ctx) error {
	ctx, cancel := h.ctx(c)
	defer cancel()
	cfg, tok := c.Query("openid_configuration"), c.Query("registration_token")
	if cfg == "" {
		return httperr.New(http.StatusBadRequest, "Dynamic registration needs the platform's openid_configuration address. Start it from your learning platform's tool registration page.")
	}
	tenant := auth.DefaultTenant
	if inv := c.Query("invite"); inv != "" || !h.OpenRegistration {
		t, err := h.Tool.CheckInvite(ctx, inv)
		if err != nil {
			return h.refusal(ctx, "register", err)
		}
		tenant = t
	}
	reg, err := h.Tool.DynamicRegistration(ctx, h.Client, tenant, cfg, tok)
	if err != nil {
		return h.refusal(ctx, "register", err)
	}
	h.logger().InfoContext(ctx, "lti platform registered", "tenant", reg.Tenant, "registration", reg.ID, "product_family", reg.ProductFamily)
	return h.html(c, http.StatusOK, "registered", map[string]any{"Title": "Registered", "Platform": reg.ProductFamily})
}
