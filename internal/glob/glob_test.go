package glob

import "testing"

func TestMatch(t *testing.T) {
	for _, c := range []struct {
		pattern, name string
		want          bool
	}{
		{"user.*", "user.email", true},
		{"GET /users/*", "GET /users/{id}", true},
		{"GET /users/*", "GET /users/1/orders", true},
		{"GET /users/*", "POST /users/1", false},
		{"*/orders", "GET /users/1/orders", true},
		{"user.*", "user.address.city", true},
		{"*password*", "db.password.hash", true},
		{"*.ip", "net.peer.ip", true},
		{"*.ip", "ip", false},
		{"user.*", "enduser.id", false},
		{"k8s.*", "k8s.pod/name", true}, // * crosses slashes too
		{"http.?oute", "http.route", true},
	} {
		if got := Match(c.pattern, c.name); got != c.want {
			t.Errorf("Match(%q, %q) = %v, want %v", c.pattern, c.name, got, c.want)
		}
	}
	if err := Check("user.["); err == nil {
		t.Error("a malformed pattern passes Check")
	}
}
