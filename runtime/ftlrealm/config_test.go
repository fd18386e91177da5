package ftlrealm

import (
	"errors"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// writeFiles creates files (path → contents) under root.
func writeFiles(t *testing.T, root string, files map[string]string) {
	t.Helper()
	for name, content := range files {
		p := filepath.Join(root, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// TestEndpointResolution checks the order: code override, environment,
// project file provider, cluster directory; and the miss and error cases.
func TestEndpointResolution(t *testing.T) {
	const (
		project = "name = \"echo\"\n"
		jsonCfg = `{"bank-realm-endpoint": "http://from-file:1"}`
	)
	tests := []struct {
		name     string
		files    map[string]string // under the temp root; "project/" is the project root
		env      map[string]string // "$ROOT" is replaced by the temp root
		wd       string            // under the temp root
		override string            // SetEndpoint
		want     string
		wantErr  []string
	}{
		{
			name:     "code override wins over everything",
			files:    map[string]string{"project/ftl-project.toml": project, "project/.ftl/configuration.json": jsonCfg, "configs/bank-realm-endpoint": "http://from-dir:1"},
			env:      map[string]string{"FTL_CONFIGURATION_BANK_REALM_ENDPOINT": "http://from-env:1", "FTL_CONFIGS_PATH": "$ROOT/configs"},
			wd:       "project",
			override: "http://from-code:1",
			want:     "http://from-code:1",
		},
		{
			name:  "environment, JSON string",
			files: map[string]string{"project/ftl-project.toml": project, "project/.ftl/configuration.json": jsonCfg},
			env:   map[string]string{"FTL_CONFIGURATION_BANK_REALM_ENDPOINT": `"http://from-env:1"`},
			wd:    "project",
			want:  "http://from-env:1",
		},
		{
			name: "environment, bare URL",
			env:  map[string]string{"FTL_CONFIGURATION_BANK_REALM_ENDPOINT": " https://from-env:2 \n"},
			want: "https://from-env:2",
		},
		{
			name: "environment, upstream's exact name with hyphens",
			env:  map[string]string{"FTL_CONFIGURATION_BANK-REALM-ENDPOINT": "http://hyphen:1"},
			want: "http://hyphen:1",
		},
		{
			name:  "project file provider found from a subdirectory",
			files: map[string]string{"project/ftl-project.toml": project, "project/.ftl/configuration.json": jsonCfg, "project/a/b/.keep": "", "configs/bank-realm-endpoint": "http://from-dir:1"},
			env:   map[string]string{"FTL_CONFIGS_PATH": "$ROOT/configs"},
			wd:    "project/a/b",
			want:  "http://from-file:1",
		},
		{
			name: "config-provider from ftl-project.toml",
			files: map[string]string{
				"project/ftl-project.toml":        "name = \"echo\"\nconfig-provider = \"file:conf/dev.json\"\n[realms.egress.bank]\ngit-repo = \"x\"\n",
				"project/conf/dev.json":           `{"bank-realm-endpoint":"http://custom-provider:1"}`,
				"project/.ftl/configuration.json": jsonCfg,
			},
			wd:   "project",
			want: "http://custom-provider:1",
		},
		{
			name:  "$FTL_CONFIG names the project file",
			files: map[string]string{"elsewhere/ftl-project.toml": project, "elsewhere/.ftl/configuration.json": `{"bank-realm-endpoint":"http://via-ftl-config:1"}`, "project/ftl-project.toml": project, "project/.ftl/configuration.json": jsonCfg},
			env:   map[string]string{"FTL_CONFIG": "$ROOT/elsewhere/ftl-project.toml,$ROOT/project/ftl-project.toml"},
			wd:    "project",
			want:  "http://via-ftl-config:1",
		},
		{
			name:  "cluster directory, JSON or bare",
			files: map[string]string{"project/ftl-project.toml": project, "configs/bank-realm-endpoint": "\"http://from-dir:1\"\n"},
			env:   map[string]string{"FTL_CONFIGS_PATH": "$ROOT/configs"},
			wd:    "project",
			want:  "http://from-dir:1",
		},
		{
			name:  "missing everywhere names the key and each place",
			files: map[string]string{"project/ftl-project.toml": project},
			env:   map[string]string{"FTL_CONFIGS_PATH": "$ROOT/configs"},
			wd:    "project",
			wantErr: []string{
				`no endpoint configured for realm "bank": config "bank-realm-endpoint" is not set; looked in:`,
				"- ftlrealm.SetEndpoint / ftlrealm.WithEndpoint in code",
				"- $FTL_CONFIGURATION_BANK_REALM_ENDPOINT",
				"/project/.ftl/configuration.json (config-provider of ",
				"/configs/bank-realm-endpoint ($FTL_CONFIGS_PATH)",
			},
		},
		{
			name:    "no project file",
			wantErr: []string{"(no ftl-project.toml in the working directory or its parents, and $FTL_CONFIG unset)", "/etc/ftl/configs/bank-realm-endpoint"},
		},
		{
			name:    "$FTL_CONFIG naming a missing file is an error",
			env:     map[string]string{"FTL_CONFIG": "$ROOT/nope.toml"},
			wantErr: []string{"$FTL_CONFIG: stat ", "nope.toml: no such file or directory"},
		},
		{
			name:    "unsupported provider is reported, not guessed",
			files:   map[string]string{"project/ftl-project.toml": "config-provider = \"asm\"\n"},
			wd:      "project",
			wantErr: []string{`config provider "asm" in `, "only file:<relative path> is read by ftlrealm"},
		},
		{
			name:    "broken configuration.json is an error",
			files:   map[string]string{"project/ftl-project.toml": project, "project/.ftl/configuration.json": `{"bank-realm-endpoint": `},
			wd:      "project",
			wantErr: []string{"configuration.json: not a JSON object of config values"},
		},
		{
			name:    "broken ftl-project.toml is an error",
			files:   map[string]string{"project/ftl-project.toml": "name = \n"},
			wd:      "project",
			wantErr: []string{"ftl-project.toml: toml:"},
		},
		{
			name:    "non-string value",
			files:   map[string]string{"project/ftl-project.toml": project, "project/.ftl/configuration.json": `{"bank-realm-endpoint": {"url": "x"}}`},
			wd:      "project",
			wantErr: []string{`key "bank-realm-endpoint": value must be a string`},
		},
		{
			name:    "bad JSON string in env",
			env:     map[string]string{"FTL_CONFIGURATION_BANK_REALM_ENDPOINT": `"http://x`},
			wantErr: []string{"$FTL_CONFIGURATION_BANK_REALM_ENDPOINT: invalid JSON string"},
		},
		{
			name:    "project file nested too deep for the TOML decoder",
			files:   map[string]string{"project/ftl-project.toml": "name = \"echo\"\nx = " + strings.Repeat("[", 100000)},
			wd:      "project",
			wantErr: []string{"ftl-project.toml:2:69: arrays or inline tables nested more than 64 deep"},
		},
		{
			name:    "invalid URL",
			env:     map[string]string{"FTL_CONFIGURATION_BANK_REALM_ENDPOINT": `ftp://x`},
			wantErr: []string{`bank-realm-endpoint: invalid endpoint "ftp://x": want an http:// (HTTP/2 cleartext) or https:// (TLS) URL`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := t.TempDir()
			writeFiles(t, root, tt.files)
			env := map[string]string{"FTL_CONFIGS_PATH": filepath.Join(root, "no-such-dir")}
			if tt.wantErr != nil && tt.name == "no project file" {
				delete(env, "FTL_CONFIGS_PATH")
			}
			for k, v := range tt.env {
				env[k] = strings.ReplaceAll(v, "$ROOT", root)
			}
			r := newRuntime(&configSource{
				lookupEnv: func(k string) (string, bool) { v, ok := env[k]; return v, ok },
				workDir:   func() (string, error) { return filepath.Join(root, tt.wd), nil },
			})
			if tt.override != "" {
				r.setEndpoint("bank", tt.override)
			}
			got, err := r.target("bank", &callConfig{})
			if tt.wantErr != nil {
				if err == nil {
					t.Fatalf("got endpoint %s, want an error", got.endpoint)
				}
				for _, want := range tt.wantErr {
					if !strings.Contains(err.Error(), want) {
						t.Errorf("error\n%v\ndoes not contain %q", err, want)
					}
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got.endpoint != tt.want {
				t.Errorf("endpoint %s, want %s", got.endpoint, tt.want)
			}
		})
	}
}

func TestEndpointOverrideAndCache(t *testing.T) {
	env := map[string]string{"FTL_CONFIGURATION_BANK_REALM_ENDPOINT": "http://env:1", "FTL_CONFIGS_PATH": t.TempDir()}
	r := newRuntime(&configSource{
		lookupEnv: func(k string) (string, bool) { v, ok := env[k]; return v, ok },
		workDir:   func() (string, error) { return "/", nil },
	})
	endpoint := func(cfg callConfig) string {
		t.Helper()
		tg, err := r.target("bank", &cfg)
		if err != nil {
			t.Fatal(err)
		}
		return tg.endpoint
	}
	if got := endpoint(callConfig{}); got != "http://env:1" {
		t.Fatalf("got %s", got)
	}
	env["FTL_CONFIGURATION_BANK_REALM_ENDPOINT"] = "http://changed:1"
	if got := endpoint(callConfig{}); got != "http://env:1" {
		t.Errorf("resolved endpoint is cached for the process; got %s", got)
	}
	r.setEndpoint("bank", "http://code:1")
	if got := endpoint(callConfig{}); got != "http://code:1" {
		t.Errorf("SetEndpoint: got %s", got)
	}
	if got := endpoint(callConfig{endpoint: "http://option:1"}); got != "http://option:1" {
		t.Errorf("WithEndpoint beats SetEndpoint: got %s", got)
	}
	r.setEndpoint("bank", "")
	if got := endpoint(callConfig{}); got != "http://changed:1" {
		t.Errorf("removing the override re-resolves: got %s", got)
	}
	// Clients are shared per endpoint.
	a, _ := r.target("bank", &callConfig{endpoint: "http://option:1"})
	b, _ := r.target("other", &callConfig{endpoint: "http://option:1"})
	if a.client != b.client {
		t.Error("two targets on one endpoint got different clients")
	}
	if _, err := r.target("", &callConfig{}); !errors.Is(err, ErrNoEndpoint) {
		t.Errorf("verb without realm: %v", err)
	}
}

func TestSecretsLookup(t *testing.T) {
	root := t.TempDir()
	writeFiles(t, root, map[string]string{
		"ftl-project.toml":         "secrets-provider = \"file:.ftl/s.json\"\n",
		".ftl/s.json":              `{"bank-realm-token": "from-file"}`,
		"secrets/bank-realm-token": "from-dir",
		"secrets/card-realm-token": "from-dir",
	})
	env := map[string]string{"FTL_SECRETS_BANK_REALM_TOKEN": `"from-env"`, "FTL_SECRETS_PATH": filepath.Join(root, "secrets")}
	src := &configSource{
		lookupEnv: func(k string) (string, bool) { v, ok := env[k]; return v, ok },
		workDir:   func() (string, error) { return root, nil },
	}
	for _, tc := range []struct{ key, want string }{
		{"bank-realm-token", "from-env"},
		{"card-realm-token", "from-dir"},
	} {
		got, found, _, err := src.lookup(secretRole, tc.key)
		if err != nil || !found || got != tc.want {
			t.Errorf("%s: got %q %v %v, want %q", tc.key, got, found, err, tc.want)
		}
	}
	delete(env, "FTL_SECRETS_BANK_REALM_TOKEN")
	if got, _, _, _ := src.lookup(secretRole, "bank-realm-token"); got != "from-file" {
		t.Errorf("secrets-provider file: got %q", got)
	}
	if _, found, looked, _ := src.lookup(secretRole, "none-realm-token"); found || !strings.Contains(strings.Join(looked, ","), "$FTL_SECRETS_NONE_REALM_TOKEN") {
		t.Errorf("missing secret: found=%v looked=%v", found, looked)
	}
}

func TestRequestID(t *testing.T) {
	seen := map[string]bool{}
	for range 100 {
		id := newRequestID()
		suffix := strings.TrimPrefix(id, "req-ingress-realm-")
		// FTL parses the suffix as base36 and wants exactly 10 bytes back.
		n, ok := new(big.Int).SetString(suffix, 36)
		if suffix == id || !ok || len(n.Bytes()) != 10 || strings.ToLower(suffix) != suffix {
			t.Fatalf("bad request id %q", id)
		}
		if seen[id] {
			t.Fatalf("duplicate request id %q", id)
		}
		seen[id] = true
	}
	// base36 of hi<<64|lo.
	for _, tc := range []struct {
		hi   uint16
		lo   uint64
		want string
	}{{0, 0, "0"}, {0, 1, "1"}, {0, 36, "10"}, {0, 256, "74"}, {0, 65535, "1ekf"}, {0, 1<<64 - 1, "3w5e11264sgsf"}, {1, 0, "3w5e11264sgsg"}, {1 << 8, 0, "rombrbjfm2fe9s"}, {1<<16 - 1, 1<<64 - 1, "5gv2rma270x9hhj3"}} {
		if got := string(appendBase36(nil, tc.hi, tc.lo)); got != tc.want {
			t.Errorf("base36(%d<<64|%d) = %s, want %s", tc.hi, tc.lo, got, tc.want)
		}
	}
}
