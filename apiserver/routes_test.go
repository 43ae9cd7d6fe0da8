package apiserver

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestRecoverPanicsAnswersInternalError(t *testing.T) {
	h := recoverPanics(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { panic("boom") }))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/api/v1/pods", nil))
	var st map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &st); err != nil {
		t.Fatal(err)
	}
	if rec.Code != 500 || st["kind"] != "Status" || st["reason"] != "InternalError" || st["message"] != "Internal error occurred: boom" {
		t.Fatalf("%d %v", rec.Code, st)
	}
}

func TestKubernetesServiceIP(t *testing.T) {
	for cidr, want := range map[string]string{"10.96.0.0/12": "10.96.0.1", "10.0.0.0/24": "10.0.0.1", "10.96.5.0/12": "10.96.0.1"} {
		if got, err := kubernetesServiceIP(cidr); err != nil || got != want {
			t.Errorf("%s: %s %v, want %s", cidr, got, err, want)
		}
	}
}
