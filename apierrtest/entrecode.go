package apierrtest

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"

	"github.com/accessapi/apierr/codes/entrecode"
	"github.com/accessapi/apierr/decode"
)

// NewEntrecode starts a fake entrecode Data Manager. Its token endpoint
// (TokenURL, /oauth/token) serves client_credentials and refresh_token with
// rotation; calls need Authorization: Bearer (missing → 2400, unknown →
// 2401, expired → 2402, all 401). Errors are application/problem+json with
// HAL links: {"status","code","title","type","detail","_links":{…}}.
//
// Resources, for any data manager short id and model:
//
//	GET  /api/{shortID}/{model}            {"count","total","_embedded":{"{shortID}:{model}":[…]}}
//	GET  /api/{shortID}/{model}?_id={id}   the entry; 2102 (404) when none matches
//	POST /api/{shortID}/{model}            creates an entry from a JSON object; 2200, 2211 (400)
//	PUT  /api/{shortID}/{model}?_id={id}   replaces it; 2202 (400) without _id, 2102 when unknown
//
// Every model starts with the entries "e1" and "e2".
func NewEntrecode(opts ...Option) *Server[entrecode.Code] {
	return newServer(entrecodeDialect, opts)
}

// entrecodeDialect is the entrecode fake's wire format and resources.
var entrecodeDialect = &dialect[entrecode.Code]{
	name:      "entrecode",
	basePath:  "/api",
	decoder:   decode.Entrecode,
	mediaType: "application/problem+json",
	tokenPath: "/oauth/token",
	refresh:   true,
	authCodes: map[authKind]entrecode.Code{
		authMissing: entrecode.MissingAccessToken, authInvalid: entrecode.InvalidAccessToken,
		authExpired: entrecode.OutdatedAccessToken, authScope: entrecode.InsufficientRights,
	},
	wire:   entrecodeWire,
	body:   entrecodeBody,
	routes: entrecodeRoutes,
}

// entrecodeWire gives a three-digit family the Data Manager's system digit
// (InternalError, 0, becomes 2000).
func entrecodeWire(c entrecode.Code) entrecode.Code {
	if c >= 0 && c < 1000 {
		return 2000 + c
	}
	return c
}

type halLink struct {
	Title string `json:"title,omitempty"`
	Href  string `json:"href"`
}

// entrecodeError is the entrecode problem+json body.
type entrecodeError struct {
	Status  int                `json:"status"`
	Code    int                `json:"code,omitempty"`
	Title   string             `json:"title"`
	Type    string             `json:"type,omitempty"`
	Detail  string             `json:"detail,omitempty"`
	Verbose string             `json:"verbose,omitempty"`
	Links   map[string]halLink `json:"_links"`
}

func entrecodeBody(r *http.Request, e *errorReply[entrecode.Code]) any {
	links := map[string]halLink{"up": {Title: "Data Manager Home Page", Href: origin(r)}}
	body := entrecodeError{Status: e.status, Title: e.title, Detail: e.detail, Links: links}
	if e.hasCode {
		body.Code = int(e.code)
		body.Type = "https://entrecode.de/doc/error/" + strconv.Itoa(int(e.code))
		links["describedby"] = halLink{Title: "Error Description", Href: body.Type}
	}
	return body
}

// origin is the scheme and host a request was sent to.
func origin(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	if r.URL.Scheme != "" {
		scheme = r.URL.Scheme
	}
	host := r.Host
	if host == "" {
		host = r.URL.Host
	}
	return scheme + "://" + host
}

// entrecodeState holds the entries of every model, by "shortID/model".
type entrecodeState struct {
	mu      sync.Mutex
	entries map[string][]map[string]any
}

func (st *entrecodeState) model(key string) []map[string]any {
	if _, ok := st.entries[key]; !ok {
		st.entries[key] = []map[string]any{
			{"_id": "e1", "title": "Buy milk", "done": false},
			{"_id": "e2", "title": "Water the plants", "done": true},
		}
	}
	return st.entries[key]
}

func entrecodeRoutes(s *Server[entrecode.Code]) http.Handler {
	st := &entrecodeState{entries: make(map[string][]map[string]any)}
	fail := func(w http.ResponseWriter, r *http.Request, c entrecode.Code, detail string) {
		s.fail(w, r, &errorReply[entrecode.Code]{reply: &reply{detail: detail}, code: c, hasCode: true})
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seg := strings.Split(strings.TrimPrefix(r.URL.Path, "/api/"), "/")
		if !strings.HasPrefix(r.URL.Path, "/api/") || len(seg) != 2 || seg[0] == "" || seg[1] == "" {
			fail(w, r, entrecode.ResourceNotFound, "")
			return
		}
		key, rel := seg[0]+"/"+seg[1], seg[0]+":"+seg[1]
		id, hasID := r.URL.Query()["_id"]
		st.mu.Lock()
		defer st.mu.Unlock()
		entries := st.model(key)
		find := func() int {
			for i, e := range entries {
				if hasID && e["_id"] == id[0] {
					return i
				}
			}
			return -1
		}
		switch r.Method {
		case http.MethodGet:
			if !hasID {
				writeJSON(w, "application/hal+json", 200, map[string]any{
					"count": len(entries), "total": len(entries), "_embedded": map[string]any{rel: entries}})
				return
			}
			if i := find(); i >= 0 {
				writeJSON(w, "application/hal+json", 200, entries[i])
				return
			}
			fail(w, r, entrecode.NoEntityMatchingQueryFilter, "_id")
		case http.MethodPost, http.MethodPut:
			if r.Method == http.MethodPut && !hasID {
				fail(w, r, entrecode.MissingPropertyInQueryString, "_id")
				return
			}
			i := find()
			if r.Method == http.MethodPut && i < 0 {
				fail(w, r, entrecode.NoEntityMatchingQueryFilter, "_id")
				return
			}
			entry, code := entrecodeEntry(r)
			if code != noCode {
				fail(w, r, code, "")
				return
			}
			status := 200
			if r.Method == http.MethodPost {
				entry["_id"] = "e" + strconv.Itoa(s.nextID())
				st.entries[key] = append(entries, entry)
				status = 201
			} else {
				entry["_id"] = id[0]
				entries[i] = entry
			}
			writeJSON(w, "application/hal+json", status, entry)
		default:
			w.Header().Set("Allow", "GET, POST, PUT")
			fail(w, r, entrecode.MethodNotAllowed, r.Method)
		}
	})
}

// noCode is what entrecodeEntry returns for a good body.
const noCode entrecode.Code = -1

// entrecodeEntry reads an entry from the request body: 2200 when it is
// empty, 2211 when it is not a JSON object.
func entrecodeEntry(r *http.Request) (map[string]any, entrecode.Code) {
	var entry map[string]any
	dec := json.NewDecoder(r.Body)
	if err := dec.Decode(&entry); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, entrecode.MissingBody
		}
		return nil, entrecode.InvalidFormatForPropertyInJSONBody
	}
	if entry == nil {
		return nil, entrecode.InvalidFormatForPropertyInJSONBody
	}
	return entry, noCode
}
