package apierrtest

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"sync"

	"github.com/accessapi/apierr/codes/tapkey"
	"github.com/accessapi/apierr/decode"
)

// NewTapkey starts a fake Tapkey Management API. Its token endpoint
// (TokenURL, /connect/token) serves client_credentials and refresh_token with
// rotation; calls need Authorization: Bearer. Errors are
// {"ErrorCode","ErrorMessage","ErrorDetails","UserErrorMessage"}, the last
// localised by Accept-Language (English and German); ErrorCode is left out
// when the error has none, as Tapkey does.
//
// Resources, for any owner account id:
//
//	GET /api/v1/Owners/{owner}/BoundLocks        [{"id":"bl-1",…},{"id":"bl-2",…}]
//	GET /api/v1/Owners/{owner}/BoundLocks/{id}   404 without ErrorCode when unknown
//	GET /api/v1/Owners/{owner}/Grants            the grants created so far
//	PUT /api/v1/Owners/{owner}/Grants            {"boundLockId","contactId"}: creates a grant;
//	                                             the same lock and contact again → 409 Duplicate
func NewTapkey(opts ...Option) *Server[tapkey.Code] {
	return newServer(tapkeyDialect, opts)
}

// tapkeyDialect is the tapkey fake's wire format and resources.
var tapkeyDialect = &dialect[tapkey.Code]{
	name:      "tapkey",
	basePath:  "/api/v1",
	decoder:   decode.Tapkey,
	mediaType: "application/json; charset=utf-8",
	tokenPath: "/connect/token",
	refresh:   true,
	body:      tapkeyBody,
	routes:    tapkeyRoutes,
}

// tapkeyError is the Tapkey error body; ErrorCode may be missing.
type tapkeyError struct {
	ErrorCode        string `json:"ErrorCode,omitempty"`
	ErrorMessage     string `json:"ErrorMessage"`
	ErrorDetails     string `json:"ErrorDetails"`
	UserErrorMessage string `json:"UserErrorMessage"`
}

func tapkeyBody(r *http.Request, e *errorReply[tapkey.Code]) any {
	return tapkeyError{
		ErrorCode:        string(e.code),
		ErrorMessage:     e.title,
		ErrorDetails:     e.detail,
		UserErrorMessage: userMessage(e.code, r.Header.Get("Accept-Language")),
	}
}

// TapkeyBoundLock is a bound lock of the Tapkey fake.
type TapkeyBoundLock struct {
	ID    string `json:"id"`
	Title string `json:"title"`
}

// TapkeyGrant is a grant of the Tapkey fake: a contact's access to a lock.
type TapkeyGrant struct {
	ID          string `json:"id"`
	BoundLockID string `json:"boundLockId"`
	ContactID   string `json:"contactId"`
}

// tapkeyState holds the grants of every owner.
type tapkeyState struct {
	mu     sync.Mutex
	grants map[string][]TapkeyGrant // by owner
}

var tapkeyLocks = []TapkeyBoundLock{{"bl-1", "Main entrance"}, {"bl-2", "Bike shed"}}

// tapkeyDuplicateMessage is Tapkey's own ErrorMessage for a duplicate grant.
const tapkeyDuplicateMessage = "only one grant allowed per lock and user/card"

func tapkeyRoutes(s *Server[tapkey.Code]) http.Handler {
	st := &tapkeyState{grants: make(map[string][]TapkeyGrant)}
	fail := func(w http.ResponseWriter, r *http.Request, status int, code tapkey.Code, title, detail string) {
		var zero tapkey.Code
		s.fail(w, r, &errorReply[tapkey.Code]{reply: &reply{status: status, detail: detail}, code: code, hasCode: code != zero, title: title})
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seg := strings.Split(strings.TrimPrefix(r.URL.Path, "/api/v1/"), "/")
		if !strings.HasPrefix(r.URL.Path, "/api/v1/") || len(seg) < 3 || seg[0] != "Owners" || seg[1] == "" {
			fail(w, r, 404, "", "resource not found", r.URL.Path)
			return
		}
		owner := seg[1]
		switch route := r.Method + " " + strings.Join(seg[2:], "/"); {
		case route == "GET BoundLocks":
			writeJSON(w, "application/json; charset=utf-8", 200, tapkeyLocks)
		case len(seg) == 4 && r.Method == http.MethodGet && seg[2] == "BoundLocks":
			for _, l := range tapkeyLocks {
				if l.ID == seg[3] {
					writeJSON(w, "application/json; charset=utf-8", 200, l)
					return
				}
			}
			fail(w, r, 404, "", "bound lock not found", seg[3])
		case route == "GET Grants":
			st.mu.Lock()
			defer st.mu.Unlock()
			writeJSON(w, "application/json; charset=utf-8", 200, append([]TapkeyGrant{}, st.grants[owner]...))
		case route == "PUT Grants":
			var g TapkeyGrant
			if err := json.NewDecoder(r.Body).Decode(&g); err != nil || g.BoundLockID == "" || g.ContactID == "" {
				fail(w, r, 400, "", "the request body must have boundLockId and contactId", "")
				return
			}
			if !knownLock(g.BoundLockID) {
				fail(w, r, 404, "", "bound lock not found", g.BoundLockID)
				return
			}
			st.mu.Lock()
			defer st.mu.Unlock()
			for _, h := range st.grants[owner] {
				if h.BoundLockID == g.BoundLockID && h.ContactID == g.ContactID {
					fail(w, r, 0, tapkey.Duplicate, tapkeyDuplicateMessage, "")
					return
				}
			}
			g.ID = "grant-" + strconv.Itoa(s.nextID())
			st.grants[owner] = append(st.grants[owner], g)
			writeJSON(w, "application/json; charset=utf-8", 200, g)
		case seg[2] == "BoundLocks" || seg[2] == "Grants":
			w.Header().Set("Allow", "GET, PUT")
			fail(w, r, 405, "", "method not allowed", r.Method)
		default:
			fail(w, r, 404, "", "resource not found", r.URL.Path)
		}
	})
}

func knownLock(id string) bool {
	for _, l := range tapkeyLocks {
		if l.ID == id {
			return true
		}
	}
	return false
}
