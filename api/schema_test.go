package api_test

import (
	"context"
	"encoding/json"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/skiffpaas/skiff/api"
)

// openAPI is the part of the server's OpenAPI document these tests read.
type openAPI struct {
	Paths      map[string]map[string]json.RawMessage `json:"paths"`
	Components struct {
		Schemas map[string]struct {
			Properties map[string]json.RawMessage `json:"properties"`
		} `json:"schemas"`
	} `json:"components"`
}

func serverDocument(t *testing.T) *openAPI {
	t.Helper()
	addr := newServer(t, offlineStack(t)).URL
	b, _, err := newClient(t, addr, "").OpenAPI(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	doc := &openAPI{}
	if err := json.Unmarshal(b, doc); err != nil {
		t.Fatal(err)
	}
	return doc
}

// jsonFields returns the JSON names of a struct type's fields.
func jsonFields(typ reflect.Type) []string {
	var out []string
	for i := range typ.NumField() {
		f := typ.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" || !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		out = append(out, name)
	}
	sort.Strings(out)
	return out
}

// TestTypesMatchTheServersSchemas keeps the client's mirrored types in step with the server's bodies: every
// property of a server schema must be a field of the client type that decodes it, and no client field may
// name a property the server does not have.
func TestTypesMatchTheServersSchemas(t *testing.T) {
	doc := serverDocument(t)
	pairs := map[string]any{
		"AppStatus": api.AppStatus{}, "AppSummary": api.AppSummary{}, "Change": api.Change{},
		"Deployment": api.Deployment{}, "DeploymentStatus": api.JobDeployment{}, "Diagnostic": api.Diagnostic{},
		"DiffNode": api.DiffNode{}, "Error": api.APIError{}, "ErrorItem": api.ErrorItem{}, "Event": api.Event{},
		"Formation": api.Formation{}, "FormationEntry": api.FormationEntry{}, "GroupProgress": api.GroupProgress{},
		"HealthBody": api.Health{}, "Offering": api.Offering{}, "Plan": api.Plan{}, "PlanBody": api.PlanResult{},
		"PosJSON": api.Pos{}, "ProcessStatus": api.ProcessStatus{}, "RangeJSON": api.Range{},
		"Record": api.Release{}, "ReleasesBody": api.ReleasePage{}, "SpecBody": api.Spec{}, "VarFile": api.VarFile{},
		"RunInputBody": api.RunOptions{}, "RunState": api.RunState{},
		"RoutesBody": api.RoutesBody{}, "RouteState": api.RouteState{}, "DesiredRoute": api.DesiredRoute{},
	}
	// Bodies the client decodes into anonymous structs, with the fields it reads.
	inline := map[string][]string{
		"AppsBody": {"apps", "next"}, "DeployResult": {"changed", "deployment", "notes"}, "DestroyBody": {"removed_jobs"},
		"FormationPatchBody": {"counts"}, "OfferingsBody": {"offerings"}, "DispatchInputBody": {"meta", "payload"},
		"DispatchBody": {"job"}, "LogsBody": {"lines"},
	}
	for name, schema := range doc.Components.Schemas {
		var want []string
		if v, ok := pairs[name]; ok {
			want = jsonFields(reflect.TypeOf(v))
		} else if fields, ok := inline[name]; ok {
			want = fields
		} else {
			t.Errorf("the server has schema %s, which no client type mirrors", name)
			continue
		}
		var got []string
		for p := range schema.Properties {
			got = append(got, p)
		}
		sort.Strings(got)
		if !slices.Equal(got, want) {
			t.Errorf("schema %s has properties %v; the client's type has %v", name, got, want)
		}
	}
	for name := range pairs {
		if _, ok := doc.Components.Schemas[name]; !ok {
			t.Errorf("the client mirrors schema %s, which the server no longer has", name)
		}
	}
}

// TestClientCoversEveryOperation fails when the server grows an operation the client has no method for.
func TestClientCoversEveryOperation(t *testing.T) {
	doc := serverDocument(t)
	covered := map[string]string{
		"GET /v1/apps":      "Apps().List",
		"GET /v1/health":    "Health().Get",
		"GET /v1/offerings": "Offerings().List",
		"DELETE /v1/namespaces/{namespace}/apps/{app}":                                "Apps().Destroy",
		"GET /v1/namespaces/{namespace}/apps/{app}/status":                            "Apps().Status",
		"POST /v1/namespaces/{namespace}/apps/{app}/plan":                             "Apps().Plan",
		"POST /v1/namespaces/{namespace}/apps/{app}/deployments":                      "Deployments().Create",
		"GET /v1/namespaces/{namespace}/apps/{app}/deployments/{id}":                  "Deployments().Info",
		"GET /v1/namespaces/{namespace}/apps/{app}/deployments/{id}/events":           "Deployments().Events",
		"POST /v1/namespaces/{namespace}/apps/{app}/deployments/{id}/actions/cancel":  "Deployments().Cancel",
		"POST /v1/namespaces/{namespace}/apps/{app}/deployments/{id}/actions/promote": "Deployments().Promote",
		"GET /v1/namespaces/{namespace}/apps/{app}/releases":                          "Releases().List",
		"GET /v1/namespaces/{namespace}/apps/{app}/releases/{id}":                     "Releases().Info",
		"POST /v1/namespaces/{namespace}/apps/{app}/releases/{id}/actions/rollback":   "Releases().Rollback",
		"GET /v1/namespaces/{namespace}/apps/{app}/formation":                         "Formation().Info",
		"PATCH /v1/namespaces/{namespace}/apps/{app}/formation":                       "Formation().Update",
		"POST /v1/namespaces/{namespace}/apps/{app}/runs":                             "Runs().Create",
		"GET /v1/namespaces/{namespace}/apps/{app}/runs/{id}":                         "Runs().Info",
		"GET /v1/namespaces/{namespace}/apps/{app}/logs":                              "Logs().Get, Logs().Follow",
		"POST /v1/namespaces/{namespace}/apps/{app}/functions/{fn}/dispatch":          "Functions().Dispatch",
		"GET /v1/namespaces/{namespace}/apps/{app}/routes":                            "Routes().Info",
	}
	seen := map[string]bool{}
	for path, ops := range doc.Paths {
		for method := range ops {
			op := strings.ToUpper(method) + " " + path
			seen[op] = true
			if _, ok := covered[op]; !ok {
				t.Errorf("the server has operation %s, which the client does not call", op)
			}
		}
	}
	for op, method := range covered {
		if !seen[op] {
			t.Errorf("%s calls %s, which the server no longer has", method, op)
		}
	}
}
