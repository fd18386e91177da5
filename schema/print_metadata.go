package schema

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// printMetadata renders one metadata line as upstream's String methods do,
// quirks included: +image prints as `+artefact "image"@"digest"`, +git and
// +egress quote without escaping, and +retry keeps an empty minimum
// backoff as a trailing space.
func printMetadata(md *Metadata) string {
	switch x := md.GetValue().(type) {
	case *Metadata_Calls:
		return refList("+calls ", x.Calls.GetCalls())
	case *Metadata_Config:
		return refList("+config ", x.Config.GetConfig())
	case *Metadata_Secrets:
		return refList("+secrets ", x.Secrets.GetSecrets())
	case *Metadata_Databases:
		return refList("+database uses ", x.Databases.GetUses())
	case *Metadata_Publisher:
		return refList("+publish ", x.Publisher.GetTopics())
	case *Metadata_Alias:
		return "+alias " + aliasKindWord(x.Alias.GetKind()) + " " + strconv.Quote(x.Alias.GetAlias())
	case *Metadata_TypeMap:
		return "+typemap " + x.TypeMap.GetRuntime() + " " + strconv.Quote(x.TypeMap.GetNativeName())
	case *Metadata_Encoding:
		s := "+encoding json"
		if t := x.Encoding.GetType(); t != "" {
			s = "+encoding " + t
		}
		if x.Encoding.GetLenient() {
			s += " lenient"
		}
		return s
	case *Metadata_Ingress:
		in := x.Ingress
		return fmt.Sprintf("+ingress %s %s %s", in.GetType(), strings.ToUpper(in.GetMethod()), ingressPath(in))
	case *Metadata_CronJob:
		return "+cron " + x.CronJob.GetCron()
	case *Metadata_Retry:
		return printRetry(x.Retry)
	case *Metadata_Subscriber:
		sub := x.Subscriber
		s := "+subscribe " + RefString(sub.GetTopic()) + " from=" + fromOffsetWord(sub.GetFromOffset())
		if sub.GetDeadLetter() {
			s += " deadletter"
		}
		return s
	case *Metadata_SqlMigration:
		return "+migration sha256:" + x.SqlMigration.GetDigest()
	case *Metadata_Artefact:
		a := x.Artefact
		return fmt.Sprintf("+artefact %q %q %t", a.GetPath(), a.GetDigest(), a.GetExecutable())
	case *Metadata_Image:
		return fmt.Sprintf("+artefact %q@%q", x.Image.GetImage(), x.Image.GetDigest())
	case *Metadata_Partitions:
		return "+partitions " + strconv.FormatInt(x.Partitions.GetPartitions(), 10)
	case *Metadata_SqlQuery:
		return fmt.Sprintf("+sql query %s %q", x.SqlQuery.GetCommand(), x.SqlQuery.GetQuery())
	case *Metadata_SqlColumn:
		return "+sql column " + identOrQuote(x.SqlColumn.GetTable()) + "." + identOrQuote(x.SqlColumn.GetName())
	case *Metadata_Generated:
		return "+generated"
	case *Metadata_Transaction:
		return "+transaction"
	case *Metadata_Fixture:
		if x.Fixture.GetManual() {
			return "+fixture manual"
		}
		return "+fixture"
	case *Metadata_Git:
		s := `+git "` + x.Git.GetRepository() + `" "` + x.Git.GetCommit() + `"`
		if x.Git.GetDirty() {
			s += " dirty"
		}
		return s
	case *Metadata_Egress:
		s := "+egress"
		for _, t := range slices.Sorted(slices.Values(x.Egress.GetTargets())) {
			s += ` "` + t + `"`
		}
		return s
	}
	return ""
}

// listWidth is where upstream wraps a ref list: a ref that would take the
// line past this many columns starts a new, 6-space indented line. Upstream
// counts the first line as if every prefix were as long as "+calls".
const listWidth = 70

// refList renders prefix followed by refs, sorted by module then name as
// upstream sorts them (the realm does not take part), wrapped as upstream
// wraps them.
func refList(prefix string, refs []*Ref) string {
	var b strings.Builder
	b.WriteString(prefix)
	width := len("+calls")
	for i, r := range sortedRefs(refs) {
		if i > 0 {
			b.WriteString(", ")
			width += 2
		}
		ref := RefString(r)
		if width+len(ref) > listWidth {
			b.WriteString("\n      ")
			width = len("+calls")
		}
		width += len(ref)
		b.WriteString(ref)
	}
	return b.String()
}

// ingressPath renders an ingress route's path as FTL writes it, e.g.
// /users/{id}.
func ingressPath(in *MetadataIngress) string {
	parts := make([]string, len(in.GetPath()))
	for i, p := range in.GetPath() {
		switch c := p.GetValue().(type) {
		case *IngressPathComponent_IngressPathLiteral:
			parts[i] = c.IngressPathLiteral.GetText()
		case *IngressPathComponent_IngressPathParameter:
			parts[i] = "{" + c.IngressPathParameter.GetName() + "}"
		}
	}
	return "/" + strings.Join(parts, "/")
}

func printRetry(r *MetadataRetry) string {
	parts := []string{"+retry"}
	if r != nil && r.Count != nil {
		parts = append(parts, strconv.FormatInt(r.GetCount(), 10))
	}
	parts = append(parts, r.GetMinBackoff())
	if r.GetMaxBackoff() != "" {
		parts = append(parts, r.GetMaxBackoff())
	}
	if r.GetCatch() != nil {
		parts = append(parts, "catch "+RefString(r.GetCatch()))
	}
	return strings.Join(parts, " ")
}

func identOrQuote(s string) string {
	if ValidIdentifier(s) {
		return s
	}
	return strconv.Quote(s)
}

func aliasKindWord(k AliasKind) string {
	switch k {
	case AliasKind_ALIAS_KIND_UNSPECIFIED:
		return "unspecified"
	case AliasKind_ALIAS_KIND_JSON:
		return "json"
	}
	return "AliasKind(" + strconv.Itoa(int(k)) + ")"
}

// fromOffsetWord names an offset as the schema text does. Upstream's
// printer panics on an unspecified offset; Validate rejects one.
func fromOffsetWord(o FromOffset) string {
	switch o {
	case FromOffset_FROM_OFFSET_BEGINNING:
		return "beginning"
	case FromOffset_FROM_OFFSET_LATEST:
		return "latest"
	case FromOffset_FROM_OFFSET_UNSPECIFIED:
		return "unspecified"
	}
	return "FromOffset(" + strconv.Itoa(int(o)) + ")"
}

// metadataOrder is upstream's order of a verb's metadata kinds.
func metadataOrder(md *Metadata) int {
	switch md.GetValue().(type) {
	case *Metadata_Ingress:
		return 1
	case *Metadata_Alias:
		return 2
	case *Metadata_Encoding:
		return 3
	case *Metadata_Calls:
		return 4
	case *Metadata_Databases:
		return 5
	case *Metadata_Secrets:
		return 6
	case *Metadata_Config:
		return 7
	case *Metadata_CronJob:
		return 8
	case *Metadata_Publisher:
		return 9
	case *Metadata_Subscriber:
		return 10
	case *Metadata_Retry:
		return 11
	case *Metadata_TypeMap:
		return 12
	case *Metadata_SqlMigration:
		return 13
	case *Metadata_Artefact:
		return 14
	case *Metadata_SqlColumn:
		return 15
	case *Metadata_SqlQuery:
		return 16
	case *Metadata_Partitions:
		return 17
	case *Metadata_Generated:
		return 18
	case *Metadata_Git:
		return 19
	case *Metadata_Fixture:
		return 20
	case *Metadata_Transaction:
		return 21
	case *Metadata_Egress:
		return 22
	case *Metadata_Image:
		return 23
	}
	return 0
}

func sortedMetadata(mds []*Metadata) []*Metadata {
	out := slices.Clone(mds)
	slices.SortStableFunc(out, func(a, b *Metadata) int { return cmp.Compare(metadataOrder(a), metadataOrder(b)) })
	return out
}

// sortedRefs orders refs by module, then name, as upstream does; the realm
// does not take part, so upstream's order is kept.
func sortedRefs(refs []*Ref) []*Ref {
	out := slices.Clone(refs)
	slices.SortStableFunc(out, func(a, b *Ref) int {
		return cmp.Or(cmp.Compare(a.GetModule(), b.GetModule()), cmp.Compare(a.GetName(), b.GetName()))
	})
	return out
}
