package kubectl_test

import (
	"bufio"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/skiff-k8s/skiff/testenv"
)

const tableAccept = "application/json;as=Table;v=v1;g=meta.k8s.io"

// TestTablesOverHTTP checks what kubectl get asks for, on the wire: a Table per list, get
// and watch, with the object, its metadata or nothing in each row (includeObject), column
// definitions only in a watch's first event, and upstream's 400 for an unknown
// includeObject.
func TestTablesOverHTTP(t *testing.T) {
	if *record {
		t.Skip("nothing to record")
	}
	env := testenv.Start(t)
	c := env.Client()
	do := func(method, path, body string) (*http.Response, []byte) {
		t.Helper()
		req, _ := http.NewRequest(method, env.URL+path, strings.NewReader(body))
		req.Header.Set("Accept", tableAccept)
		req.Header.Set("Content-Type", "application/json")
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp, b
	}
	type table struct {
		Kind              string            `json:"kind"`
		APIVersion        string            `json:"apiVersion"`
		ColumnDefinitions []json.RawMessage `json:"columnDefinitions"`
		Rows              []struct {
			Cells  []any           `json:"cells"`
			Object json.RawMessage `json:"object"`
		} `json:"rows"`
	}
	decodeTable := func(b []byte) table {
		t.Helper()
		var tb table
		if err := json.Unmarshal(b, &tb); err != nil {
			t.Fatalf("%v: %s", err, b)
		}
		return tb
	}

	if resp, b := do("POST", "/api/v1/namespaces/default/configmaps", `{"metadata":{"name":"one"},"data":{"a":"1","b":"2"}}`); resp.StatusCode != 201 {
		t.Fatalf("create: %d %s", resp.StatusCode, b)
	}
	_, b := do("GET", "/api/v1/namespaces/default/configmaps", "")
	tb := decodeTable(b)
	if tb.Kind != "Table" || tb.APIVersion != "meta.k8s.io/v1" || len(tb.ColumnDefinitions) != 3 || len(tb.Rows) != 1 {
		t.Fatalf("list table %s", b)
	}
	if tb.Rows[0].Cells[0] != "one" || tb.Rows[0].Cells[1] != float64(2) {
		t.Errorf("cells %v", tb.Rows[0].Cells)
	}
	if !strings.Contains(string(tb.Rows[0].Object), `"kind":"PartialObjectMetadata"`) {
		t.Errorf("default row object %s", tb.Rows[0].Object)
	}
	_, b = do("GET", "/api/v1/namespaces/default/configmaps/one?includeObject=Object", "")
	if obj := decodeTable(b).Rows[0].Object; !strings.Contains(string(obj), `"kind":"ConfigMap"`) || !strings.Contains(string(obj), `"data"`) {
		t.Errorf("includeObject=Object row object %s", obj)
	}
	_, b = do("GET", "/api/v1/namespaces/default/configmaps/one?includeObject=None", "")
	if obj := decodeTable(b).Rows[0].Object; string(obj) != "null" {
		t.Errorf("includeObject=None row object %s", obj)
	}
	if resp, b := do("GET", "/api/v1/namespaces/default/configmaps?includeObject=Bogus", ""); resp.StatusCode != 400 ||
		!strings.Contains(string(b), `includeObject: Invalid value: \"Bogus\": must be 'Metadata', 'Object', 'None', or empty`) {
		t.Errorf("includeObject=Bogus: %d %s", resp.StatusCode, b)
	}

	// A watch: the first event has the columns, later ones null.
	req, _ := http.NewRequest("GET", env.URL+"/api/v1/namespaces/default/configmaps?watch=true&resourceVersion=0", nil)
	req.Header.Set("Accept", tableAccept)
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	lines := make(chan string, 10)
	go func() {
		sc := bufio.NewScanner(resp.Body)
		sc.Buffer(nil, 1<<20)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	next := func() (typ string, tb table) {
		t.Helper()
		select {
		case l := <-lines:
			var ev struct {
				Type   string          `json:"type"`
				Object json.RawMessage `json:"object"`
			}
			if err := json.Unmarshal([]byte(l), &ev); err != nil {
				t.Fatalf("%v: %s", err, l)
			}
			if !strings.Contains(string(ev.Object), `"columnDefinitions":`) {
				t.Errorf("event without a columnDefinitions field: %s", l)
			}
			return ev.Type, decodeTable(ev.Object)
		case <-time.After(10 * time.Second):
			t.Fatal("no watch event")
		}
		return "", table{}
	}
	typ, first := next()
	if typ != "ADDED" || len(first.ColumnDefinitions) != 3 || first.Rows[0].Cells[0] != "one" {
		t.Errorf("first event %s %+v", typ, first)
	}
	do("POST", "/api/v1/namespaces/default/configmaps", `{"metadata":{"name":"two"}}`)
	typ, second := next()
	if typ != "ADDED" || second.ColumnDefinitions != nil || second.Rows[0].Cells[0] != "two" {
		t.Errorf("second event %s %+v", typ, second)
	}
}
