package provider

import "testing"

func TestQuietUnlessLogging(t *testing.T) {
	for name, tc := range map[string]struct {
		env       map[string]string
		wantQuiet bool
	}{
		"no log variable":     {env: map[string]string{}, wantQuiet: true},
		"TF_LOG":              {env: map[string]string{"TF_LOG": "TRACE"}},
		"TF_LOG_PROVIDER":     {env: map[string]string{"TF_LOG_PROVIDER": "DEBUG"}},
		"the HTTP subsystem":  {env: map[string]string{"TF_LOG_PROVIDER_ZUORA_HTTP": "TRACE"}},
		"the framework alone": {env: map[string]string{"TF_LOG_SDK_FRAMEWORK": "TRACE"}},
	} {
		t.Run(name, func(t *testing.T) {
			set := map[string]string{}
			quietUnlessLogging(func(k string) string { return tc.env[k] }, func(k, v string) error { set[k] = v; return nil })
			quiet := set["TF_LOG_SDK"] == "OFF" && set["TF_LOG_PROVIDER"] == "OFF"
			if quiet != tc.wantQuiet || (!quiet && len(set) != 0) {
				t.Fatalf("with %v the provider set %v; want quiet=%v", tc.env, set, tc.wantQuiet)
			}
		})
	}
}
