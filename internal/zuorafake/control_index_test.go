package zuorafake

import (
	"os"
	"slices"
	"strings"
	"testing"
)

// TestControlIndexListsEveryRoute checks GET /_fake: it lists every control
// route with a description, each listed route is served, and the routes a
// user needs to set up a test are among them.
func TestControlIndexListsEveryRoute(t *testing.T) {
	h := newHarness(t, Options{ControlAPI: true})
	var index struct {
		Description string `json:"description"`
		Routes      []struct {
			Method      string `json:"method"`
			Path        string `json:"path"`
			Description string `json:"description"`
		} `json:"routes"`
	}
	for _, path := range []string{"/_fake", "/_fake/"} {
		if st := h.ctl("GET", path, "", &index); st != 200 {
			t.Fatalf("GET %s: %d", path, st)
		}
	}
	if !strings.Contains(index.Description, "?entity=<id>") {
		t.Errorf("the description does not say how to pick an entity: %q", index.Description)
	}
	if index.Description == "" || len(index.Routes) != len(controlRoutes) {
		t.Fatalf("GET /_fake lists %d routes, the control API has %d: %+v", len(index.Routes), len(controlRoutes), index)
	}
	var listed []string
	for _, r := range index.Routes {
		if r.Description == "" {
			t.Errorf("%s %s has no description", r.Method, r.Path)
		}
		listed = append(listed, r.Method+" "+r.Path)
	}
	for _, want := range []string{"GET /_fake", "GET /_fake/state", "GET /_fake/stats", "DELETE /_fake/stats",
		"GET /_fake/requests", "POST /_fake/sets", "PUT /_fake/sets/{id}", "DELETE /_fake/sets/{id}",
		"POST /_fake/sets/{id}/assign", "POST /_fake/minimum", "POST /_fake/faults", "DELETE /_fake/faults",
		"PUT /_fake/fault-rates", "GET /_fake/rate-limit", "PUT /_fake/rate-limit"} {
		if !slices.Contains(listed, want) {
			t.Errorf("GET /_fake does not list %s: %v", want, listed)
		}
	}

	// Each listed route is served: called with an unknown set or an empty
	// body it may refuse the input, but never as an unknown endpoint.
	for _, r := range index.Routes {
		path := strings.ReplaceAll(r.Path, "{id}", "0123456789abcdef0123456789abcdef")
		var answer map[string]any
		h.ctl(r.Method, path, "{}", &answer)
		if msg, _ := answer["error"].(string); strings.Contains(msg, "no control endpoint") {
			t.Errorf("%s %s is listed but not served: %s", r.Method, r.Path, msg)
		}
	}
	var unknown controlError
	if st := h.ctl("GET", "/_fake/nope", "", &unknown); st != 404 || !strings.Contains(unknown.Error, "GET /_fake lists them") {
		t.Errorf("an unknown control route: %d %v", st, unknown)
	}
}

// TestControlIndexInReadme checks that the README documents every control
// route as GET /_fake lists it.
func TestControlIndexInReadme(t *testing.T) {
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range controlRoutes {
		if want := "`" + r.Method + " " + r.Path + "`"; !strings.Contains(string(b), want) {
			t.Errorf("README.md does not document %s", want)
		}
	}
}
