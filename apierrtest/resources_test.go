package apierrtest

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestTapkeyResources(t *testing.T) {
	srv := NewTapkey()
	defer srv.Close()
	auth := bearer(ccToken(t, srv))
	grants := srv.URL() + "/api/v1/Owners/o1/Grants"
	call := func(method, url, body string) answer {
		return send(t, srv.Client(), method, url, body, append(auth, "Content-Type", "application/json")...)
	}

	a := call("GET", srv.URL()+boundLocks, "")
	require.Equal(t, 200, a.status)
	var locks []TapkeyBoundLock
	require.NoError(t, json.Unmarshal(a.body, &locks))
	assert.Equal(t, []TapkeyBoundLock{{"bl-1", "Main entrance"}, {"bl-2", "Bike shed"}}, locks)
	assert.Equal(t, 200, call("GET", srv.URL()+boundLocks+"/bl-2", "").status)

	a = call("GET", srv.URL()+boundLocks+"/bl-9", "")
	assert.Equal(t, 404, a.status)
	assert.Equal(t, "", bodyCode(t, "tapkey", a), "Tapkey sends no ErrorCode for most errors")

	a = call("PUT", grants, `{"boundLockId":"bl-1","contactId":"c-1"}`)
	require.Equal(t, 200, a.status, "%s", a.body)
	a = call("PUT", grants, `{"boundLockId":"bl-1","contactId":"c-1"}`)
	assert.Equal(t, 409, a.status)
	assert.JSONEq(t, `{"ErrorCode":"Duplicate","ErrorMessage":"only one grant allowed per lock and user/card",
		"ErrorDetails":"","UserErrorMessage":"This person already has access to this lock."}`, string(a.body))
	assert.Equal(t, 200, call("PUT", grants, `{"boundLockId":"bl-2","contactId":"c-1"}`).status)
	assert.Equal(t, 404, call("PUT", grants, `{"boundLockId":"bl-9","contactId":"c-1"}`).status)
	assert.Equal(t, 400, call("PUT", grants, `{"boundLockId":"bl-1"}`).status)
	assert.Equal(t, 405, call("DELETE", grants, "").status)
	assert.Equal(t, 404, call("GET", srv.URL()+"/api/v1/Owners/o1/Nothing", "").status)
	assert.Equal(t, 404, call("GET", srv.URL()+"/elsewhere", "").status)

	a = call("GET", grants, "")
	var list []TapkeyGrant
	require.NoError(t, json.Unmarshal(a.body, &list))
	assert.Len(t, list, 2)
	a = call("GET", srv.URL()+"/api/v1/Owners/o2/Grants", "")
	assert.JSONEq(t, `[]`, string(a.body), "grants are per owner")
}

func TestExosResources(t *testing.T) {
	srv := NewExos()
	defer srv.Close()
	auth := exosAuth(exosLogin(t, srv))
	call := func(method, path, body string) answer {
		return send(t, srv.Client(), method, srv.URL()+path, body, append(auth, "Content-Type", "application/json")...)
	}
	for _, tc := range []struct {
		name, method, path, body string
		status                   int
		code                     string
	}{
		{"get person", "GET", exosPersons + "/P-1", "", 200, ""},
		{"unknown person", "GET", exosPersons + "/P-404", "", 404, "400001"},
		{"access rights", "GET", "/ExosApi/api/v1.0/accessRights", "", 200, ""},
		{"assign", "POST", "/ExosApi/api/v1.1/persons/P-1/assignAccessRight", `{"AccessRightId":"AR-1"}`, 200, ""},
		{"assign again", "POST", "/ExosApi/api/v1.1/persons/P-1/assignAccessRight", `{"AccessRightId":"AR-1"}`, 400, "400011"},
		{"unknown right", "POST", "/ExosApi/api/v1.1/persons/P-1/assignAccessRight", `{"AccessRightId":"AR-9"}`, 404, "400010"},
		{"assign to nobody", "POST", "/ExosApi/api/v1.0/persons/P-9/assignAccessRight", `{"AccessRightId":"AR-1"}`, 404, "400001"},
		{"assign garbage", "POST", "/ExosApi/api/v1.0/persons/P-1/assignAccessRight", `{`, 400, "100011"},
		{"create", "POST", exosPersons, `{"PersonalNumber":"2002","LastName":"Hopper"}`, 201, ""},
		{"same personal number", "POST", exosPersons, `{"PersonalNumber":"2002","LastName":"Hopper"}`, 400, "400036"},
		{"no last name", "POST", exosPersons, `{"PersonalNumber":"3003"}`, 400, "100005"},
		{"not JSON", "POST", exosPersons, `<person/>`, 400, "100011"},
		{"method", "DELETE", exosPersons, "", 400, "405"},
		{"unknown resource", "GET", "/ExosApi/api/v1.0/doors", "", 404, "400028"},
		{"outside the API", "GET", "/elsewhere", "", 404, "400028"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := call(tc.method, tc.path, tc.body)
			require.Equal(t, tc.status, a.status, "%s", a.body)
			if tc.code != "" {
				assert.Equal(t, tc.code, bodyCode(t, "exos", a))
			}
		})
	}
	a := call("GET", exosPersons+"/P-1", "")
	var p struct{ Value ExosPerson }
	require.NoError(t, json.Unmarshal(a.body, &p))
	assert.Equal(t, []string{"AR-1"}, p.Value.AccessRights)
	assert.Len(t, call("GET", exosPersons, "").json(t)["value"], 2)
}

func TestEntrecodeResources(t *testing.T) {
	srv := NewEntrecode()
	defer srv.Close()
	auth := bearer(ccToken(t, srv))
	model := "/api/beefbeef/to-do-item"
	call := func(method, path, body string) answer {
		return send(t, srv.Client(), method, srv.URL()+path, body, append(auth, "Content-Type", "application/json")...)
	}
	a := call("GET", model, "")
	require.Equal(t, 200, a.status)
	assert.Len(t, a.json(t)["_embedded"].(map[string]any)["beefbeef:to-do-item"], 2)

	for _, tc := range []struct {
		name, method, path, body string
		status                   int
		code, detail             string
	}{
		{"entry", "GET", model + "?_id=e1", "", 200, "", ""},
		{"no such entry", "GET", model + "?_id=e9", "", 404, "2102", "_id"},
		{"create", "POST", model, `{"title":"Call mum"}`, 201, "", ""},
		{"empty body", "POST", model, ``, 400, "2200", ""},
		{"not an object", "POST", model, `[1]`, 400, "2211", ""},
		{"replace", "PUT", model + "?_id=e2", `{"title":"Water the garden"}`, 200, "", ""},
		{"replace without _id", "PUT", model, `{"title":"x"}`, 400, "2202", "_id"},
		{"replace nothing", "PUT", model + "?_id=e9", `{"title":"x"}`, 404, "2102", "_id"},
		{"method", "DELETE", model + "?_id=e1", ``, 405, "2110", "DELETE"},
		{"no model", "GET", "/api/beefbeef", ``, 404, "2100", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := call(tc.method, tc.path, tc.body)
			require.Equal(t, tc.status, a.status, "%s", a.body)
			if tc.code != "" {
				assert.Equal(t, tc.code, bodyCode(t, "entrecode", a))
			}
			if tc.detail != "" {
				assert.Equal(t, tc.detail, a.json(t)["detail"])
			}
		})
	}
	assert.Equal(t, "Water the garden", call("GET", model+"?_id=e2", "").json(t)["title"])
	assert.Len(t, call("GET", model, "").json(t)["_embedded"].(map[string]any)["beefbeef:to-do-item"], 3)
}

func TestUSTAResources(t *testing.T) {
	srv := NewUSTA()
	defer srv.Close()
	auth := bearer(ccToken(t, srv))
	entity := srv.URL() + "/v1/entities/"
	call := func(method, url, body string, header ...string) answer {
		return send(t, srv.Client(), method, url, body, append(auth, header...)...)
	}
	json := []string{"Content-Type", "application/json; charset=utf-8"}

	assert.JSONEq(t, `{"id":"1001","firstName":"Billie","lastName":"King"}`, string(call("GET", entity+"1001", "").body))
	a := call("GET", entity+"404", "")
	assert.Equal(t, 404, a.status)
	assert.JSONEq(t, `{"errorCode":3001,"message":"entity not found"}`, string(a.body), "the documented bare body")

	a = call("PUT", entity+"1001", `{"firstName":"Billie Jean"}`, json...)
	assert.Equal(t, 200, a.status)
	assert.Empty(t, a.body, "PUT answers with an empty body")
	assert.Equal(t, "Billie Jean", call("GET", entity+"1001", "").json(t)["firstName"])

	assert.Equal(t, 404, call("PUT", entity+"404", `{}`, json...).status)
	assert.Equal(t, 415, call("PUT", entity+"1001", `{}`).status, "no Content-Type")
	a = call("PUT", entity+"1001", `"text"`, json...)
	assert.Equal(t, 400, a.status)
	assert.Equal(t, "9002", bodyCode(t, "usta", a))
	assert.Equal(t, 405, call("DELETE", entity+"1001", "").status)
	assert.Equal(t, 404, call("GET", srv.URL()+"/v1/other", "").status)
}
