package apierrtest

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"sync"

	"github.com/accessapi/apierr/codes/exos"
	"github.com/accessapi/apierr/decode"
)

// NewExos starts a fake dormakaba exos 9300 API. Log in at LegacyLoginURL
// (Basic user:password) or LoginURL (4.3.3+ JSON body) for a session
// identifier, then send Authorization: Basic base64(apiKey + ":" + identifier)
// (Bearer identifier is accepted too); an unknown, revoked or expired
// identifier gets 401 with ErrorCode 300008. Errors are
// {"ErrorCode":400241,"Message":"…"}.
//
// Resources (v1.0 and v1.1 alike):
//
//	GET  /ExosApi/api/v1.0/persons                          {"value":[…]}
//	POST /ExosApi/api/v1.0/persons                          {"Value":{…}}; 100011, 100005, 400036
//	GET  /ExosApi/api/v1.0/persons/{id}                     {"Value":{…}}; 400001 when unknown
//	GET  /ExosApi/api/v1.0/accessRights                     {"value":[…]}
//	POST /ExosApi/api/v1.1/persons/{id}/assignAccessRight   {"AccessRightId":"AR-1"}; 400001, 400010, 400011
//	POST /ExosApi/api/v1.0/logins/logoutMyself              204; ends the session
//
// Person P-1 (personal number 1001) and access rights AR-1 and AR-2 exist
// from the start.
func NewExos(opts ...Option) *Server[exos.Code] {
	return newServer(exosDialect, opts)
}

// exosDialect is the exos fake's wire format and resources.
var exosDialect = &dialect[exos.Code]{
	name:      "exos",
	basePath:  "/ExosApi/api/v1.1",
	decoder:   decode.Exos,
	mediaType: "application/json; charset=utf-8",
	session:   true,
	authCodes: map[authKind]exos.Code{
		authMissing: exos.UnknownAPIKeyOrIdentifier, authInvalid: exos.UnknownAPIKeyOrIdentifier,
		authExpired: exos.UnknownAPIKeyOrIdentifier, authScope: exos.UserHasNoAuthorization,
	},
	body:   exosBody,
	routes: exosRoutes,
}

// exosError is the exos error body.
type exosError struct {
	ErrorCode int    `json:"ErrorCode,omitempty"`
	Message   string `json:"Message"`
}

func exosBody(_ *http.Request, e *errorReply[exos.Code]) any {
	msg := e.title
	if e.detail != "" {
		msg += " (" + e.detail + ")"
	}
	return exosError{ErrorCode: int(e.code), Message: msg}
}

// ExosPerson is a person of the exos fake.
type ExosPerson struct {
	PersonID       string   `json:"PersonId"`
	PersonalNumber string   `json:"PersonalNumber"`
	FirstName      string   `json:"FirstName"`
	LastName       string   `json:"LastName"`
	AccessRights   []string `json:"AccessRights"`
}

// ExosAccessRight is an access right of the exos fake.
type ExosAccessRight struct {
	AccessRightID string `json:"AccessRightId"`
	Name          string `json:"Name"`
}

// exosState holds the exos fake's resources.
type exosState struct {
	mu      sync.Mutex
	persons []*ExosPerson
	rights  []ExosAccessRight
}

func exosRoutes(s *Server[exos.Code]) http.Handler {
	st := &exosState{
		persons: []*ExosPerson{{PersonID: "P-1", PersonalNumber: "1001", FirstName: "Ada", LastName: "Lovelace", AccessRights: []string{}}},
		rights:  []ExosAccessRight{{"AR-1", "Main entrance"}, {"AR-2", "Server room"}},
	}
	fail := func(w http.ResponseWriter, r *http.Request, c exos.Code, detail string) {
		s.fail(w, r, &errorReply[exos.Code]{reply: &reply{detail: detail}, code: c, hasCode: true})
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rest, ok := strings.CutPrefix(r.URL.Path, "/ExosApi/api/")
		if ok {
			_, rest, ok = strings.Cut(rest, "/") // the version: v1.0, v1.1
		}
		if !ok {
			fail(w, r, exos.ResourceNotFound, r.URL.Path)
			return
		}
		seg := strings.Split(rest, "/")
		route := r.Method + " " + seg[0]
		switch {
		case rest == "logins/logoutMyself" && r.Method == http.MethodPost:
			s.logout(r)
			w.WriteHeader(http.StatusNoContent)
		case len(seg) == 1 && route == "GET persons":
			st.mu.Lock()
			defer st.mu.Unlock()
			writeJSON(w, "application/json; charset=utf-8", 200, map[string]any{"value": st.persons})
		case len(seg) == 1 && route == "POST persons":
			st.create(w, r, s, fail)
		case len(seg) == 2 && route == "GET persons":
			st.mu.Lock()
			defer st.mu.Unlock()
			if p := st.person(seg[1]); p != nil {
				writeJSON(w, "application/json; charset=utf-8", 200, map[string]any{"Value": p})
				return
			}
			fail(w, r, exos.PersonNotFound, seg[1])
		case len(seg) == 3 && route == "POST persons" && seg[2] == "assignAccessRight":
			st.assign(w, r, seg[1], fail)
		case len(seg) == 1 && route == "GET accessRights":
			st.mu.Lock()
			defer st.mu.Unlock()
			writeJSON(w, "application/json; charset=utf-8", 200, map[string]any{"value": st.rights})
		case seg[0] == "persons" || seg[0] == "accessRights" || rest == "logins/logoutMyself":
			fail(w, r, exos.MethodNotAllowed, r.Method)
		default:
			fail(w, r, exos.ResourceNotFound, r.URL.Path)
		}
	})
}

// person finds a person by id; st.mu is held.
func (st *exosState) person(id string) *ExosPerson {
	for _, p := range st.persons {
		if p.PersonID == id {
			return p
		}
	}
	return nil
}

func (st *exosState) create(w http.ResponseWriter, r *http.Request, s *Server[exos.Code], fail func(http.ResponseWriter, *http.Request, exos.Code, string)) {
	var p ExosPerson
	if err := json.NewDecoder(r.Body).Decode(&p); err != nil {
		fail(w, r, exos.InvalidInputThatCouldNotBeDeserialized, "")
		return
	}
	if p.LastName == "" {
		fail(w, r, exos.RequiredParameterMissing, "LastName")
		return
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	for _, q := range st.persons {
		if p.PersonalNumber != "" && q.PersonalNumber == p.PersonalNumber {
			fail(w, r, exos.PersonalNumberAlreadyInUse, p.PersonalNumber)
			return
		}
	}
	p.PersonID = "P-" + strconv.Itoa(s.nextID())
	p.AccessRights = []string{}
	st.persons = append(st.persons, &p)
	writeJSON(w, "application/json; charset=utf-8", 201, map[string]any{"Value": &p})
}

func (st *exosState) assign(w http.ResponseWriter, r *http.Request, personID string, fail func(http.ResponseWriter, *http.Request, exos.Code, string)) {
	var body struct{ AccessRightID string }
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
		fail(w, r, exos.InvalidInputThatCouldNotBeDeserialized, "")
		return
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	p := st.person(personID)
	if p == nil {
		fail(w, r, exos.PersonNotFound, personID)
		return
	}
	known := false
	for _, ar := range st.rights {
		known = known || ar.AccessRightID == body.AccessRightID
	}
	if !known {
		fail(w, r, exos.AccessRightNotFound, body.AccessRightID)
		return
	}
	for _, id := range p.AccessRights {
		if id == body.AccessRightID {
			fail(w, r, exos.AccessRightAlreadyAssigned, body.AccessRightID)
			return
		}
	}
	p.AccessRights = append(p.AccessRights, body.AccessRightID)
	writeJSON(w, "application/json; charset=utf-8", 200, map[string]any{"Value": p})
}
