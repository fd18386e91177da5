package schema

import (
	"regexp"
	"strings"

	"golang.org/x/mod/module"
	"google.golang.org/protobuf/reflect/protoreflect"

	"github.com/ftlrealm/ftl-gen-realm/internal/diag"
)

// place is where metadata is attached; each allows different kinds.
type place int

const (
	placeModule place = iota
	placeVerb
	placeData
	placeField
	placeTypeAlias
	placeDatabase
	placeTopic
)

func kinds(names ...string) map[string]bool {
	out := map[string]bool{}
	for _, n := range names {
		out[n] = true
	}
	return out
}

// allowed lists the metadata kinds each place accepts, following where
// upstream FTL puts and accepts them: +calls and the runtime wiring only
// on verbs, only +alias and +sql column on fields, only +typemap on
// typealiases, build provenance on modules.
var allowed = map[place]map[string]bool{
	placeModule: kinds("+git", "+artefact", "+image"),
	placeVerb: kinds("+calls", "+alias", "+typemap", "+encoding", "+ingress", "+cron", "+database", "+retry",
		"+subscribe", "+publish", "+config", "+secrets", "+sql query", "+generated", "+fixture", "+transaction", "+egress"),
	placeData:      kinds("+alias", "+typemap", "+encoding", "+generated"),
	placeField:     kinds("+alias", "+sql column"),
	placeTypeAlias: kinds("+typemap"),
	placeDatabase:  kinds("+migration"),
	placeTopic:     kinds("+partitions"),
}

// metadataKinds names each Metadata field as messages (and, mostly, the
// schema text) do.
var metadataKinds = map[protoreflect.Name]string{
	"calls": "+calls", "ingress": "+ingress", "cron_job": "+cron", "databases": "+database",
	"alias": "+alias", "retry": "+retry", "subscriber": "+subscribe", "type_map": "+typemap",
	"encoding": "+encoding", "config": "+config", "secrets": "+secrets", "publisher": "+publish",
	"sql_migration": "+migration", "artefact": "+artefact", "partitions": "+partitions",
	"sql_query": "+sql query", "sql_column": "+sql column", "generated": "+generated", "git": "+git",
	"fixture": "+fixture", "transaction": "+transaction", "egress": "+egress", "image": "+image",
}

// metadataKind returns the kind of md and its position.
func metadataKind(md *Metadata) (string, *Position) {
	m := md.ProtoReflect()
	fd := m.WhichOneof(m.Descriptor().Oneofs().ByName("value"))
	if fd == nil {
		return "", nil
	}
	inner, _ := m.Get(fd).Message().Interface().(interface{ GetPos() *Position })
	return metadataKinds[fd.Name()], inner.GetPos()
}

func (v *validator) checkMetadata(c scope, owner label, at place, mds []*Metadata) {
	if len(mds) == 0 {
		return // most fields and decls: no map for them
	}
	seen := map[string]bool{}
	for _, md := range mds {
		if md.GetValue() == nil {
			v.errorf(c, "empty metadata on %s", owner)
			continue
		}
		kind, pos := metadataKind(md)
		mc := c.in(pos, label{})
		key := v.checkMetadataValue(mc, owner, md)
		if !allowed[at][kind] {
			v.errorf(mc, "%s is not allowed on %s", kind, owner)
			continue
		}
		if key == "" {
			key = kind
		}
		if seen[key] {
			v.errorf(mc, "duplicate %s on %s", key, owner)
		}
		seen[key] = true
	}
}

// checkMetadataValue checks one metadata's contents and returns the key
// under which it may appear only once, when that is not just its kind.
func (v *validator) checkMetadataValue(c scope, owner label, md *Metadata) string {
	switch x := md.GetValue().(type) {
	case *Metadata_Calls:
		v.checkRefList(c, owner, "+calls", "call target", "verb", x.Calls.GetCalls())
	case *Metadata_Databases:
		v.checkRefList(c, owner, "+database", "database", "database", x.Databases.GetUses())
	case *Metadata_Publisher:
		v.checkRefList(c, owner, "+publish", "published topic", "topic", x.Publisher.GetTopics())
	case *Metadata_Config:
		v.checkRefList(c, owner, "+config", "config", "config", x.Config.GetConfig())
	case *Metadata_Secrets:
		v.checkRefList(c, owner, "+secrets", "secret", "secret", x.Secrets.GetSecrets())
	case *Metadata_Alias:
		return v.checkAlias(c, owner, x.Alias)
	case *Metadata_TypeMap:
		runtime, native := x.TypeMap.GetRuntime(), x.TypeMap.GetNativeName()
		if !ValidIdentifier(runtime) {
			v.errorf(c, "invalid +typemap runtime %s on %s: not an identifier", diag.Quote(runtime), owner)
		} else if reason := checkNativeName(runtime, native); reason != "" {
			v.errorf(c, "invalid +typemap %s native name %s on %s: %s", runtime, diag.Quote(native), owner, reason)
		}
		return "+typemap " + show(runtime)
	case *Metadata_Encoding:
		if t := x.Encoding.GetType(); t != "" && t != "json" {
			v.errorf(c, "unknown +encoding %s on %s (want json)", diag.Quote(t), owner)
		}
	case *Metadata_Ingress:
		v.checkIngress(c, owner, x.Ingress)
	case *Metadata_CronJob:
		v.checkText(c, owner, "+cron", "schedule", x.CronJob.GetCron(), true)
	case *Metadata_Retry:
		v.checkRetry(c, owner, x.Retry)
	case *Metadata_Subscriber:
		sub := x.Subscriber
		if sub.GetTopic() == nil {
			v.errorf(c, "+subscribe on %s names no topic", owner)
		} else {
			v.checkDeclRef(c, sub.GetTopic(), "subscribed topic", "topic")
		}
		if o := sub.GetFromOffset(); o != FromOffset_FROM_OFFSET_BEGINNING && o != FromOffset_FROM_OFFSET_LATEST {
			v.errorf(c, "+subscribe on %s has no from offset (want beginning or latest)", owner)
		}
	case *Metadata_SqlMigration:
		v.checkDigest(c, owner, "+migration", x.SqlMigration.GetDigest())
	case *Metadata_Artefact:
		v.checkText(c, owner, "+artefact", "path", x.Artefact.GetPath(), true)
		v.checkDigest(c, owner, "+artefact", x.Artefact.GetDigest())
		return "+artefact " + show(x.Artefact.GetPath())
	case *Metadata_Image:
		v.checkText(c, owner, "+image", "image", x.Image.GetImage(), true)
		v.checkDigest(c, owner, "+image", x.Image.GetDigest())
	case *Metadata_Partitions:
		if n := x.Partitions.GetPartitions(); n < 1 {
			v.errorf(c, "invalid +partitions %d on %s (want at least 1)", n, owner)
		}
	case *Metadata_SqlQuery:
		if cmd := x.SqlQuery.GetCommand(); !ValidIdentifier(cmd) {
			v.errorf(c, "invalid +sql query command %s on %s: not an identifier", diag.Quote(cmd), owner)
		}
	case *Metadata_SqlColumn:
		if x.SqlColumn.GetTable() == "" || x.SqlColumn.GetName() == "" {
			v.errorf(c, "+sql column on %s needs a table and a column name", owner)
		}
	case *Metadata_Git:
		v.checkText(c, owner, "+git", "repository", x.Git.GetRepository(), false)
		v.checkText(c, owner, "+git", "commit", x.Git.GetCommit(), true)
	case *Metadata_Egress:
		if len(x.Egress.GetTargets()) == 0 {
			v.errorf(c, "+egress on %s lists no targets", owner)
		}
		for _, t := range x.Egress.GetTargets() {
			v.checkText(c, owner, "+egress", "target", t, true)
		}
	}
	return ""
}

// checkRefList checks a list of refs that must each name a decl of kind
// want.
func (v *validator) checkRefList(c scope, owner label, kind, role, want string, refs []*Ref) {
	if len(refs) == 0 {
		v.errorf(c, "%s on %s lists no %ss", kind, owner, want)
	}
	for _, r := range refs {
		v.checkDeclRef(c, r, role, want)
	}
}

func (v *validator) checkAlias(c scope, owner label, a *MetadataAlias) string {
	name, known := AliasKind_name[int32(a.GetKind())]
	switch {
	case a.GetKind() == AliasKind_ALIAS_KIND_UNSPECIFIED:
		v.errorf(c, "+alias on %s has no kind", owner)
	case !known:
		v.errorf(c, "+alias on %s has unknown kind %d", owner, a.GetKind())
	}
	if a.GetAlias() == "" {
		v.errorf(c, "empty +alias on %s", owner)
	}
	return "+alias " + strings.ToLower(strings.TrimPrefix(name, "ALIAS_KIND_"))
}

// checkText checks a string that upstream prints between quotes without
// escaping, or bare: it must not break the schema text.
func (v *validator) checkText(c scope, owner label, kind, what, s string, required bool) {
	switch {
	case s == "" && required:
		v.errorf(c, "%s on %s has no %s", kind, owner, what)
	case strings.ContainsFunc(s, func(r rune) bool { return r < ' ' || r == 0x7f || r == '"' || r == '\\' }):
		v.errorf(c, "invalid %s %s %s on %s: contains a control character, quote or backslash", kind, what, diag.Quote(s), owner)
	}
}

var sha256Hex = regexp.MustCompile(`^[0-9a-f]{64}$`)

// checkDigest checks a SHA-256 digest as upstream writes it: 64 lower-case
// hex digits.
func (v *validator) checkDigest(c scope, owner label, kind, digest string) {
	if !sha256Hex.MatchString(digest) {
		v.errorf(c, "invalid %s digest %s on %s (want 64 lower-case hex digits)", kind, diag.Quote(digest), owner)
	}
}

var ingressMethods = kinds("GET", "POST", "PUT", "DELETE")

func (v *validator) checkIngress(c scope, owner label, in *MetadataIngress) {
	if in.GetType() != "http" {
		v.errorf(c, "unknown +ingress type %s on %s (want http)", diag.Quote(in.GetType()), owner)
	}
	if !ingressMethods[strings.ToUpper(in.GetMethod())] {
		v.errorf(c, "unknown +ingress method %s on %s (want GET, POST, PUT or DELETE)", diag.Quote(in.GetMethod()), owner)
	}
	for _, p := range in.GetPath() {
		switch x := p.GetValue().(type) {
		case nil:
			v.errorf(c, "empty +ingress path segment on %s", owner)
		case *IngressPathComponent_IngressPathLiteral:
			pc := c.in(x.IngressPathLiteral.GetPos(), label{})
			text := x.IngressPathLiteral.GetText()
			if text == "" || strings.ContainsFunc(text, func(r rune) bool {
				return r <= ' ' || r == 0x7f || strings.ContainsRune(`/{}"\`, r)
			}) {
				v.errorf(pc, "invalid +ingress path segment %s on %s", diag.Quote(text), owner)
			}
		case *IngressPathComponent_IngressPathParameter:
			pc := c.in(x.IngressPathParameter.GetPos(), label{})
			if name := x.IngressPathParameter.GetName(); !ValidIdentifier(name) {
				v.errorf(pc, "invalid +ingress path parameter %s on %s: not an identifier", diag.Quote(name), owner)
			}
		}
	}
}

// backoff is the duration syntax of +retry, e.g. 5s, 1m30s, 1d.
var backoff = regexp.MustCompile(`^([0-9]+[dhms])+$`)

func (v *validator) checkRetry(c scope, owner label, r *MetadataRetry) {
	if r != nil && r.Count != nil && r.GetCount() < 0 {
		v.errorf(c, "negative +retry count %d on %s", r.GetCount(), owner)
	}
	for _, b := range []string{r.GetMinBackoff(), r.GetMaxBackoff()} {
		if b != "" && !backoff.MatchString(b) {
			v.errorf(c, "invalid +retry backoff %s on %s (want a duration such as 5s or 1m)", diag.Quote(b), owner)
		}
	}
	if r.GetCatch() != nil {
		v.checkDeclRef(c, r.GetCatch(), "catch verb", "verb")
	}
}

// checkVerbRules checks what upstream requires of a verb's metadata taken
// together: a cron job takes and returns Unit, and only subscribers retry.
func (v *validator) checkVerbRules(c scope, verb *Verb) {
	var cron, retry *Metadata
	subscribes := false
	for _, md := range verb.GetMetadata() {
		switch md.GetValue().(type) {
		case *Metadata_CronJob:
			cron = md
		case *Metadata_Retry:
			retry = md
		case *Metadata_Subscriber:
			subscribes = true
		}
	}
	if cron != nil && (verb.GetRequest().GetUnit() == nil || verb.GetResponse().GetUnit() == nil) {
		_, pos := metadataKind(cron)
		v.errorf(c.in(pos, label{}), "+cron verb %s must take and return Unit", show(verb.GetName()))
	}
	if retry != nil && !subscribes {
		_, pos := metadataKind(retry)
		v.errorf(c.in(pos, label{}), "+retry on verb %s, which has no +subscribe", show(verb.GetName()))
	}
}

// checkNativeName checks a +typemap native type name. For Go it is what
// FTL's Go runtime writes and generated code imports: import/path.Type, or
// import/path.pkgname.Type when the package name differs from the path.
func checkNativeName(runtime, native string) string {
	if native == "" {
		return "empty"
	}
	if strings.ContainsFunc(native, func(r rune) bool { return r < ' ' || r == 0x7f || r == '"' || r == '\\' }) {
		return "contains a control character, quote or backslash"
	}
	if runtime != "go" {
		return ""
	}
	dot := strings.LastIndexByte(native, '.')
	if dot < 0 || !ValidIdentifier(native[dot+1:]) {
		return "want import/path.Type"
	}
	if err := module.CheckImportPath(native[:dot]); err != nil {
		return "want import/path.Type"
	}
	return ""
}
