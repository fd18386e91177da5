package ftlrealm

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/BurntSushi/toml"

	"github.com/ftlrealm/ftl-gen-realm/internal/tomlguard"
)

// role is one of FTL's two kinds of configuration, each with its own
// environment prefix, project provider key and cluster directory.
type role struct {
	name        string // "config" or "secret", for messages
	envPrefix   string
	providerKey string // key in ftl-project.toml
	defaultFile string // the file provider's default path
	dirEnv      string
	defaultDir  string
}

var (
	configRole = role{
		name: "config", envPrefix: "FTL_CONFIGURATION_",
		providerKey: "config-provider", defaultFile: ".ftl/configuration.json",
		dirEnv: "FTL_CONFIGS_PATH", defaultDir: "/etc/ftl/configs",
	}
	secretRole = role{
		name: "secret", envPrefix: "FTL_SECRETS_",
		providerKey: "secrets-provider", defaultFile: ".ftl/secrets.json",
		dirEnv: "FTL_SECRETS_PATH", defaultDir: "/etc/ftl/secrets",
	}
)

// projectFileName is the FTL project file whose providers we read.
const projectFileName = "ftl-project.toml"

// configSource reads configuration the way an FTL runner would, from the
// places FTL keeps it. Its fields are swapped in tests.
type configSource struct {
	lookupEnv func(string) (string, bool)
	workDir   func() (string, error)
}

var osConfigSource = &configSource{lookupEnv: os.LookupEnv, workDir: os.Getwd}

// lookup finds key for role r: the environment, then the project's file
// provider, then the cluster directory. When the key is not set anywhere it
// returns found=false and the places it looked, for the error message.
// A source that exists but is broken is an error, not a miss.
func (c *configSource) lookup(r role, key string) (value string, found bool, looked []string, err error) {
	for _, name := range envNames(r, key) {
		looked = append(looked, "$"+name)
		if v, ok := c.lookupEnv(name); ok {
			value, err := parseConfigValue([]byte(v))
			if err != nil {
				return "", false, nil, fmt.Errorf("$%s: %w", name, err)
			}
			return value, true, nil, nil
		}
	}

	value, found, where, err := c.lookupProject(r, key)
	looked = append(looked, where)
	if err != nil || found {
		return value, found, nil, err
	}

	dir := r.defaultDir
	if d, ok := c.lookupEnv(r.dirEnv); ok && d != "" {
		dir = d
	}
	path := filepath.Join(dir, key)
	looked = append(looked, path+" ($"+r.dirEnv+")")
	data, err := os.ReadFile(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return "", false, looked, nil
	case err != nil:
		return "", false, nil, err
	}
	value, err = parseConfigValue(data)
	if err != nil {
		return "", false, nil, fmt.Errorf("%s: %w", path, err)
	}
	return value, true, nil, nil
}

// envNames lists the variables FTL reads for a global key: upper-cased
// with '-' as '_' (settable from a shell), then upstream's exact
// upper-cased name.
func envNames(r role, key string) []string {
	upper := strings.ToUpper(key)
	shell := r.envPrefix + strings.ReplaceAll(upper, "-", "_")
	if exact := r.envPrefix + upper; exact != shell {
		return []string{shell, exact}
	}
	return []string{shell}
}

// lookupProject reads key from the project's file provider. where
// describes the place looked (or why there was none).
func (c *configSource) lookupProject(r role, key string) (value string, found bool, where string, err error) {
	projectFile, err := c.findProjectFile()
	if err != nil {
		return "", false, "", err
	}
	if projectFile == "" {
		return "", false, r.defaultFile + " (no " + projectFileName + " in the working directory or its parents, and $FTL_CONFIG unset)", nil
	}
	data, err := os.ReadFile(projectFile)
	if err != nil {
		return "", false, "", err
	}
	// The TOML decoder is quadratic in nesting; a project file nested
	// deep enough would stall every call that looks up its endpoint.
	if err := tomlguard.Check(data); err != nil {
		return "", false, "", fmt.Errorf("%s:%w", projectFile, err)
	}
	var project map[string]any
	if _, err := toml.Decode(string(data), &project); err != nil {
		return "", false, "", fmt.Errorf("%s: %w", projectFile, err)
	}
	provider := "file:" + r.defaultFile
	if p, ok := project[r.providerKey].(string); ok && p != "" {
		provider = p
	}
	kind, rel, _ := strings.Cut(provider, ":")
	if kind != "file" || rel == "" || filepath.IsAbs(rel) {
		return "", false, fmt.Sprintf("%s provider %q in %s (only file:<relative path> is read by ftlrealm)", r.name, provider, projectFile), nil
	}
	path := filepath.Join(filepath.Dir(projectFile), filepath.FromSlash(rel))
	where = path + " (" + r.providerKey + " of " + projectFile + ")"
	data, err = os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return "", false, where, nil
	} else if err != nil {
		return "", false, "", err
	}
	var values map[string]json.RawMessage
	if err := json.Unmarshal(data, &values); err != nil {
		return "", false, "", fmt.Errorf("%s: not a JSON object of %s values: %w", path, r.name, err)
	}
	raw, ok := values[key]
	if !ok {
		return "", false, where, nil
	}
	value, err = parseConfigValue(raw)
	if err != nil {
		return "", false, "", fmt.Errorf("%s: key %q: %w", path, key, err)
	}
	return value, true, where, nil
}

// findProjectFile returns $FTL_CONFIG (its first entry), else the nearest ftl-project.toml
// in the working directory or a parent, else "".
func (c *configSource) findProjectFile() (string, error) {
	wd, err := c.workDir()
	if err != nil {
		return "", err
	}
	if p, ok := c.lookupEnv("FTL_CONFIG"); ok && p != "" {
		// FTL's runner takes a comma-separated list; the first is the project.
		p, _, _ = strings.Cut(p, ",")
		if !filepath.IsAbs(p) {
			p = filepath.Join(wd, p)
		}
		if _, err := os.Stat(p); err != nil {
			return "", fmt.Errorf("$FTL_CONFIG: %w", err)
		}
		return p, nil
	}
	for dir := wd; ; {
		p := filepath.Join(dir, projectFileName)
		if st, err := os.Stat(p); err == nil && !st.IsDir() {
			return p, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", nil
		}
		dir = parent
	}
}

// parseConfigValue takes a string value as FTL stores it, JSON ("http://…"
// with quotes), and also bare text, which is what people type into an
// environment variable or a mounted file.
func parseConfigValue(raw []byte) (string, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return "", errors.New("empty value")
	}
	switch raw[0] {
	case '"':
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return "", fmt.Errorf("invalid JSON string: %w", err)
		}
		return s, nil
	case '{', '[':
		return "", errors.New("value must be a string, not a JSON object or array")
	}
	return string(raw), nil
}
