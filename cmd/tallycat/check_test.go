package main

import (
	"encoding/json"
	"strings"
	"testing"

	tallycatv1 "github.com/tallycat/tallycat/gen/tallycat/v1"
	. "github.com/tallycat/tallycat/internal/testvocab"
)

// TestCheckSaysWhatTheUISays: the demo's duration, checkout in s as the
// conventions define it and payments in ms. The check lists a finding a
// line with the title the UI shows beside its id, once however many
// schemas it concerns, naming their producers; the unit is payments'
// alone, and checkout is not blamed for it.
func TestCheckSaysWhatTheUISays(t *testing.T) {
	checkout := observation("http.server.request.duration", Histogram, false, "s", "http.request.method", "url.scheme")
	payments := observation("http.server.request.duration", Histogram, false, "ms", "http.request.method", "url.scheme")
	payments.Producer = &tallycatv1.ProducerIdentity{ServiceName: "payments", ServiceVersion: "2.0.0"}
	url := catalogWith(t, checkout, payments)
	code, out, _ := runCLI("check", "--catalog", url)
	if code != exitFindings {
		t.Fatalf("exit %d, want 1 (payments' unit):\n%s", code, out)
	}
	lines := strings.Split(out, "\n")
	if !strings.HasPrefix(lines[0], "LEVEL") || !strings.Contains(lines[0], "FINDING") || !strings.Contains(lines[0], "ID") {
		t.Errorf("header %q", lines[0])
	}
	var unit, port []string
	for _, l := range lines {
		if strings.Contains(l, "unit_conflict") {
			t.Errorf("a unit conflict the conventions settle: %s", l)
		}
		if strings.Contains(l, " unit_mismatch ") {
			unit = append(unit, l)
		}
		if strings.Contains(l, "opt_in_attribute_not_present") && strings.Contains(l, "server.port") {
			port = append(port, l)
		}
	}
	if len(unit) != 1 || !strings.HasPrefix(unit[0], "violation") || !strings.Contains(unit[0], "Unit differs from the conventions") ||
		!strings.Contains(unit[0], "payments@2.0.0") || strings.Contains(unit[0], "checkout@") ||
		!strings.Contains(unit[0], "payments sends ms where the conventions and checkout send s") {
		t.Errorf("the unit's lines:\n%s", strings.Join(unit, "\n"))
	}
	if len(port) != 1 || !strings.Contains(port[0], "Opt-in attribute not sent") || !strings.Contains(port[0], "checkout@1.4.2") || !strings.Contains(port[0], "payments@2.0.0") {
		t.Errorf("server.port's lines, want one naming both producers:\n%s", strings.Join(port, "\n"))
	}

	_, out, _ = runCLI("check", "--catalog", url, "--format", "json")
	var findings []struct {
		ID      string `json:"finding_id"`
		Title   string `json:"title"`
		Schemas []struct {
			SchemaID string `json:"schema_id"`
		} `json:"schemas"`
	}
	if err := json.Unmarshal([]byte(out), &findings); err != nil {
		t.Fatal(err)
	}
	for _, f := range findings {
		if f.Title == "" || len(f.Schemas) == 0 {
			t.Errorf("json: %s without its title or schemas", f.ID)
		}
	}
}
