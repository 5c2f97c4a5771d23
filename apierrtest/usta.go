package apierrtest

import (
	"encoding/json"
	"mime"
	"net/http"
	"strings"
	"sync"

	"github.com/accessapi/apierr/codes/usta"
	"github.com/accessapi/apierr/decode"
)

// NewUSTA starts a fake USTA API. Its token endpoint (TokenURL,
// /oauth/token) serves client_credentials only: USTA issues no refresh
// tokens, so a client fetches a new token after a 401. Calls need
// Authorization: Bearer (missing → 401, unknown or expired → 401 with 4003).
// Errors are {"errors":[{"errorCode","message","subject","subjectType"}]}.
//
// Resources, as the USTA "API Responses" table describes them:
//
//	GET /v1/entities/{id}   the entity; 404 with the bare {"errorCode":3001,"message":"entity not found"}
//	PUT /v1/entities/{id}   200 with an empty body; 404 as above; 415 without a JSON
//	                        Content-Type; 9002 (400) for a body that is not a JSON object
//
// Entity "1001" exists from the start.
func NewUSTA(opts ...Option) *Server[usta.Code] {
	return newServer(ustaDialect, opts)
}

// ustaDialect is the usta fake's wire format and resources.
var ustaDialect = &dialect[usta.Code]{
	name:      "usta",
	basePath:  "/v1",
	decoder:   decode.USTA,
	mediaType: "application/json",
	tokenPath: "/oauth/token",
	authCodes: map[authKind]usta.Code{authInvalid: usta.AuthenticationTokenInvalid, authExpired: usta.AuthenticationTokenInvalid},
	body:      ustaBody,
	routes:    ustaRoutes,
}

// ustaError is one USTA error; a response holds a list of them, or one bare.
type ustaError struct {
	ErrorCode   int    `json:"errorCode,omitempty"`
	Message     string `json:"message"`
	Subject     string `json:"subject,omitempty"`
	SubjectType string `json:"subjectType,omitempty"`
}

func ustaBody(_ *http.Request, e *errorReply[usta.Code]) any {
	item := ustaError{ErrorCode: int(e.code), Message: e.title, Subject: e.detail}
	if e.detail != "" {
		item.SubjectType = "parameter"
	}
	if e.bare {
		return item
	}
	return map[string][]ustaError{"errors": {item}}
}

// ustaState holds the entities, by id.
type ustaState struct {
	mu       sync.Mutex
	entities map[string]map[string]any
}

func ustaRoutes(s *Server[usta.Code]) http.Handler {
	st := &ustaState{entities: map[string]map[string]any{
		"1001": {"id": "1001", "firstName": "Billie", "lastName": "King"},
	}}
	fail := func(w http.ResponseWriter, r *http.Request, e *errorReply[usta.Code]) {
		if e.reply == nil {
			e.reply = &reply{}
		}
		s.fail(w, r, e)
	}
	notFound := func(w http.ResponseWriter, r *http.Request) {
		fail(w, r, &errorReply[usta.Code]{code: usta.EntityNotFound, hasCode: true, title: "entity not found", bare: true})
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, ok := strings.CutPrefix(r.URL.Path, "/v1/entities/")
		if !ok || id == "" || strings.Contains(id, "/") {
			fail(w, r, &errorReply[usta.Code]{reply: &reply{status: 404}, title: "resource not found"})
			return
		}
		st.mu.Lock()
		defer st.mu.Unlock()
		entity, exists := st.entities[id]
		switch r.Method {
		case http.MethodGet:
			if !exists {
				notFound(w, r)
				return
			}
			writeJSON(w, "application/json", 200, entity)
		case http.MethodPut:
			if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "application/json" {
				fail(w, r, &errorReply[usta.Code]{reply: &reply{status: 415}, title: "content type must be application/json"})
				return
			}
			if !exists {
				notFound(w, r)
				return
			}
			var m map[string]any
			if err := json.NewDecoder(r.Body).Decode(&m); err != nil || m == nil {
				fail(w, r, &errorReply[usta.Code]{code: usta.HTTPMessageNotReadableError, hasCode: true, title: "HTTP message not readable error"})
				return
			}
			m["id"] = id
			st.entities[id] = m
			w.WriteHeader(http.StatusOK)
		default:
			w.Header().Set("Allow", "GET, PUT")
			fail(w, r, &errorReply[usta.Code]{reply: &reply{status: 405}, title: "method not allowed"})
		}
	})
}
