package zuora

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/terraform-zuora/terraform-provider-zuora/internal/zuorafake"
)

// TestTokenScope: the scope lists the token's entities (lower-case, in
// Zuora's order); asking for it twice costs one token, which the next API
// request reuses; wrong credentials give the TokenError.
func TestTokenScope(t *testing.T) {
	for _, tc := range []struct {
		entities []string
		want     []string
		sole     string
	}{
		{[]string{"A1B2C3D4-0000-4000-8000-000000000001"}, []string{"a1b2c3d4-0000-4000-8000-000000000001"}, "a1b2c3d4-0000-4000-8000-000000000001"},
		{[]string{"a1b2c3d4-0000-4000-8000-000000000001", "a1b2c3d4-0000-4000-8000-000000000002"},
			[]string{"a1b2c3d4-0000-4000-8000-000000000001", "a1b2c3d4-0000-4000-8000-000000000002"}, ""},
	} {
		fake, url := startFake(t, zuorafake.Options{Entities: tc.entities})
		c := newTestClient(t, url, func(cfg *Config) { cfg.EntityID = tc.want[0] })
		for range 2 {
			scope, err := c.TokenScope(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(scope.Entities, tc.want) || scope.SoleEntity() != tc.sole {
				t.Fatalf("scope %+v (sole %q), want %v (sole %q)", scope, scope.SoleEntity(), tc.want, tc.sole)
			}
		}
		if _, err := c.ListSequenceSets(context.Background(), ListOptions{}); err != nil {
			t.Fatal(err)
		}
		if st := fake.Stats(); st.ByRoute["POST /oauth/token"] != 1 {
			t.Fatalf("%d token requests, want 1 shared by TokenScope and the listing", st.ByRoute["POST /oauth/token"])
		}
	}

	_, url := startFake(t, zuorafake.Options{})
	c := newTestClient(t, url, func(cfg *Config) { cfg.ClientSecret = "wrong" })
	var te *TokenError
	if _, err := c.TokenScope(context.Background()); !errors.As(err, &te) || te.StatusCode != 401 {
		t.Fatalf("wrong secret: %v, want a TokenError of HTTP 401", err)
	}
}
