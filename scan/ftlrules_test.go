package scan

// The rows of TestFTLErrors: FTL's errors, file by file as its source has
// them, then its module validator's checks of what a Go module declares.

// ftlRules lists every message of FTL's extractor (TestFTLRulesComplete
// checks that against FTL's source when FTL_SRC names a checkout).
var ftlRules = []ftlRule{
	// common/common.go
	{ftl: `no extractor registered for %T`, in: "common/common.go",
		internal: "FTL's extractors register themselves when its packages are initialised"},
	{ftl: `package %q is not in the ftl namespace`, in: "common/common.go",
		body: "//ftl:verb export:realm\nfunc Publish(ctx context.Context, events ftl.TopicHandle[string, ftl.SinglePartitionMap[string]]) error { return nil }\n",
		want: []string{
			`balance/balance.go:13:35: verb publish: parameter 2 is an inline ftl.TopicHandle[string, ftl.SinglePartitionMap[string]]; FTL injects a topic only through an alias, which names it: type Events = ftl.TopicHandle[string, ftl.SinglePartitionMap[string]]`,
		}},
	{ftl: `could not determine module for type`, in: "common/common.go",
		body: "//ftl:verb export:realm\nfunc Sign(ctx context.Context, key ftl.Secret[string]) error { return nil }\n",
		want: []string{
			`balance/balance.go:13:32: verb sign: parameter 2 is an inline ftl.Secret[string]; FTL injects a secret only through an alias, which names it: type Key = ftl.Secret[string]`,
		}},
	{ftl: `unsupported type for type argument`, in: "common/common.go",
		body: "type Pair[K, V any] struct {\n\tKey   K\n\tValue V\n}\n\n//ftl:verb export:realm\nfunc Get(ctx context.Context) (Pair[string, chan int], error) { return Pair[string, chan int]{}, nil }\n",
		want: []string{
			`balance/balance.go:18:32: verb get: response balance.Pair<V>: unsupported type chan int`,
		}},
	{ftl: `unsupported external type %q; see FTL docs on using external types: %s`, in: "common/common.go",
		body: "type Req struct {\n\tWait time.Duration\n}\n\n//ftl:verb export:realm\nfunc Get(ctx context.Context, req Req) error { return nil }\n",
		want: []string{
			`balance/balance.go:13:2: verb get: request balance.Req.wait: unsupported external type time.Duration; declare a //ftl:typealias for it in the module`,
		}},
	{ftl: `unsupported type %sfor type argument`, in: "common/common.go",
		body:     "//ftl:enum\ntype Shape interface{ shape() }\n\ntype Box[T comparable] struct{ V T }\n\nfunc (Box[T]) shape() {}\n\ntype Circle struct{ R int }\n\nfunc (Circle) shape() {}\n\n//ftl:verb export:realm\nfunc Get(ctx context.Context) (Shape, error) { return Circle{}, nil }\n",
		accepted: "a generic type is never a variant of a type enum here: a variant's value must have a complete type, and FTL's own ref to it has no type arguments"},
	{ftl: `expected string argument at index %d`, in: "common/common.go", internal: "ExtractStringLiteralArg has no caller"},
	{ftl: `expected string literal for argument at index %d`, in: "common/common.go", internal: "ExtractStringLiteralArg has no caller"},
	{ftl: `expected non-empty string literal for argument at index %d`, in: "common/common.go", internal: "ExtractStringLiteralArg has no caller"},
	// common/directive.go; the directive parser's own errors are participle's
	{ftl: `failed to parse visibility`, in: "common/directive.go",
		internal: "participle takes the failure for no match and reports the unexpected token instead (the next row)"},
	{ftl: `unexpected token %q`, in: "common/directive.go (participle)",
		body: "//ftl:verb exported\nfunc Get(ctx context.Context) error { return nil }\n",
		want: []string{
			`balance/balance.go:12:12: invalid //ftl:verb argument "exported": want export or export:realm`,
		}},
	{ftl: `unexpected token %q`, in: "common/directive.go (participle)",
		body: "//ftl:data exported\ntype D struct{}\n\n//ftl:typemap rust \"x\"\n//ftl:typealias\ntype T string\n\n//ftl:encoding json\nfunc Get(ctx context.Context) error { return nil }\n",
		want: []string{
			`balance/balance.go:12:1: invalid //ftl:data arguments "exported": want nothing or export (other realms see what a realm verb reaches)`,
			`balance/balance.go:15:1: invalid //ftl:typemap arguments "rust \"x\"": want the runtime go, kotlin or java first`,
			`balance/balance.go:19:1: invalid //ftl:encoding arguments "json": want [json] lenient`,
		}},
	{ftl: `unexpected token %q`, in: "common/directive.go (participle)",
		body:     "//ftl:cron every so often\nfunc Tick(ctx context.Context) error { return nil }\n\n//ftl:verb export:realm\nfunc Get(ctx context.Context) error { return nil }\n",
		accepted: "the arguments of //ftl:ingress, cron, retry, subscribe, topic, database and egress configure FTL's runtime inside the realm, not its public schema; FTL's build parses them"},
	// config, secret, topic: declarations of resources
	{ftl: `unsupported config type`, in: "config/analyzer.go",
		body:     "type Limit = ftl.Config[chan int]\n\n//ftl:verb export:realm\nfunc Get(ctx context.Context, limit Limit) error { return nil }\n",
		accepted: "configs, secrets and topics are not in a realm's public schema; their declarations are FTL's business inside the realm, and FTL's build checks them"},
	{ftl: `config names must be valid identifiers`, in: "config/analyzer.go",
		body:     "type Größe = ftl.Config[int]\n\n//ftl:verb export:realm\nfunc Get(ctx context.Context, g Größe) error { return nil }\n",
		accepted: "as for unsupported config type"},
	{ftl: `unsupported secret type`, in: "secret/analyzer.go",
		body:     "type Key = ftl.Secret[func()]\n\n//ftl:verb export:realm\nfunc Get(ctx context.Context, key Key) error { return nil }\n",
		accepted: "as for unsupported config type"},
	{ftl: `secret names must be valid identifiers`, in: "secret/analyzer.go",
		body:     "type Schlüssel = ftl.Secret[string]\n\n//ftl:verb export:realm\nfunc Get(ctx context.Context, key Schlüssel) error { return nil }\n",
		accepted: "as for unsupported config type"},
	{ftl: `unsupported topic type`, in: "topic/analyzer.go",
		body:     "type Events = ftl.TopicHandle[chan int, ftl.SinglePartitionMap[chan int]]\n\n//ftl:verb export:realm\nfunc Get(ctx context.Context, events Events) error { return nil }\n",
		accepted: "as for unsupported config type"},
	{ftl: `topic names must be valid identifiers`, in: "topic/analyzer.go",
		body:     "type Ereignisse_Ä = ftl.TopicHandle[string, ftl.SinglePartitionMap[string]]\n\n//ftl:verb export:realm\nfunc Get(ctx context.Context, events Ereignisse_Ä) error { return nil }\n",
		accepted: "as for unsupported config type"},
	{ftl: `could not find type for topic partition mapper`, in: "topic/analyzer.go",
		internal: "the type checker gives every type argument a type"},
	{ftl: `single partition map can not have more than one partition`, in: "topic/analyzer.go",
		body:     "//ftl:topic partitions=2\ntype Events = ftl.TopicHandle[string, ftl.SinglePartitionMap[string]]\n\n//ftl:verb export:realm\nfunc Get(ctx context.Context, events Events) error { return nil }\n",
		accepted: "as for unsupported config type"},
	{ftl: `could not find associated type for topic partition mapper`, in: "topic/analyzer.go",
		internal: "the type checker gives every type argument a type"},
	// data
	{ftl: `anonymous fields are not supported`, in: "data/analyzer.go",
		body: "type Base struct{ ID string }\n\ntype Req struct {\n\tBase\n}\n\n//ftl:verb export:realm\nfunc Get(ctx context.Context, req Req) error { return nil }\n",
		want: []string{
			`balance/balance.go:15:2: verb get: request balance.Req: embedded field Base is not supported; give the field a name`,
		}},
	{ftl: `struct field %s must be exported by starting with an uppercase letter`, in: "data/analyzer.go",
		body: "type Req struct {\n\tName string\n\tnote string\n}\n\n//ftl:verb export:realm\nfunc Get(ctx context.Context, req Req) error { return nil }\n",
		want: []string{
			`balance/balance.go:14:2: verb get: request balance.Req: field note must be exported: FTL refuses unexported fields in a struct of the schema`,
		}},
	{ftl: `unsupported type %q for field %q`, in: "data/analyzer.go",
		body: "type Req struct {\n\tExtra interface{}\n\tCh    chan int\n}\n\n//ftl:verb export:realm\nfunc Get(ctx context.Context, req Req) error { return nil }\n",
		want: []string{
			`balance/balance.go:13:2: verb get: request balance.Req.extra: unsupported type interface{}; write any, the empty interface FTL maps to Any`,
			`balance/balance.go:14:2: verb get: request balance.Req.ch: unsupported type chan int`,
		}},
	{ftl: `failed to unquote tag value %q`, in: "data/analyzer.go", internal: "a struct tag that parses is a Go string literal, which unquotes"},
	{ftl: `failed to unquote tag value`, in: "data/analyzer.go", internal: "as above"},
	// enum
	{ftl: `%q is a value enum and cannot be tagged as a variant of type enum %q directly`, in: "enum/analyzer.go",
		body: "type Shape interface{ shape() }\n\n//ftl:enum\ntype Color string\n\nconst Red Color = \"red\"\n\nfunc (Color) shape() {}\n\n//ftl:verb export:realm\nfunc Get(ctx context.Context) (Shape, error) { return Red, nil }\n",
		want: []string{
			`balance/balance.go:15:6: verb get: response balance.Shape: value enum Color cannot be a variant of type enum Shape; declare another type for the variant`,
		}},
	{ftl: `type %q cannot be both a type and value enum`, in: "enum/analyzer.go",
		internal: "it needs constants of an interface type, which Go refuses"},
	{ftl: `enum variant %q conflicts with existing enum variant of %q at %q`, in: "enum/analyzer.go",
		files: map[string]string{
			"balance/balance.go":     "package balance\n\nimport (\n\t\"context\"\n\n\t\"ftl/balance/paint\"\n)\n\ntype Color string\n\nconst Red Color = \"red\"\n\ntype Req struct {\n\tC Color\n\tS paint.Shade\n}\n\n//ftl:verb export:realm\nfunc Get(ctx context.Context, req Req) error { return nil }\n",
			"balance/paint/paint.go": "package paint\n\ntype Shade string\n\nconst Red Shade = \"red\"\n",
		},
		want: []string{
			`balance/paint/paint.go:5:7: variant Red of enum Shade is named like variant Red of enum Color (at balance/balance.go:11:7): FTL wants a module's value enum variants named apart from its other variants`,
		}},
	{ftl: `invalid type for enum variant %q`, in: "enum/analyzer.go",
		body: "type Shape interface{ shape() }\n\ntype Pipe chan int\n\nfunc (Pipe) shape() {}\n\n//ftl:verb export:realm\nfunc Get(ctx context.Context) (Shape, error) { return nil, nil }\n",
		want: []string{
			`balance/balance.go:14:11: verb get: response balance.Shape.Pipe: unsupported type chan int`,
		}},
	// extract.go
	{ftl: `failed to load packages`, in: "extract.go",
		files: map[string]string{
			"balance/go.mod":     "module ftl/balance\n\ngo 1.24\n\nrequire (\n",
			"balance/balance.go": "package balance\n",
		},
		want: []string{
			`balance/go.mod:6:1: syntax error (unterminated block started at balance/go.mod:5:1)`,
		}},
	{ftl: `failed to analyze module packages`, in: "extract.go", internal: "the analysis framework fails only on a bad set of analysers"},
	{ftl: `unexpected schema extraction result type: %T`, in: "extract.go", internal: "an invariant of FTL's analysers"},
	{ftl: `schema extraction finalizer result not found`, in: "extract.go", internal: "an invariant of FTL's analysers"},
	{ftl: `unexpected schema extraction result module name: %s`, in: "extract.go", internal: "an invariant of FTL's analysers (its packages' paths all start ftl/<module>/)"},
	{ftl: `duplicate %s declaration for %q; already declared at %q`, in: "extract.go, finalize/analyzer.go",
		files: map[string]string{
			"balance/balance.go":   "package balance\n\nimport (\n\t\"context\"\n\n\t\"ftl/balance/more\"\n)\n\ntype Item struct{ N int }\n\ntype Req struct {\n\tA Item\n\tB more.Item\n}\n\n//ftl:verb export:realm\nfunc Get(ctx context.Context, req Req) error { return nil }\n",
			"balance/more/more.go": "package more\n\ntype Item struct{ M int }\n",
		},
		want: []string{
			`balance/more/more.go:3:6: duplicate decl "Item" in module balance (previous at balance/balance.go:9:6)`,
		}},
	{ftl: `schema declaration with name %q already exists for module %q; previously declared at %q`, in: "extract.go",
		files: map[string]string{
			"balance/balance.go":   "package balance\n\nimport (\n\t\"context\"\n\n\t\"ftl/balance/more\"\n)\n\ntype Item struct{ N int }\n\ntype Req struct {\n\tA Item\n\tB more.Item\n}\n\n//ftl:verb export:realm\nfunc Get(ctx context.Context, req Req) error { return nil }\n",
			"balance/more/more.go": "package more\n\ntype Item string\n\nconst Big Item = \"big\"\n",
		},
		want: []string{
			`balance/balance.go:9:6: duplicate decl "Item" in module balance (previous at balance/more/more.go:3:6)`,
		}},
	{ftl: `direct verb calls are not allowed; use the provided %sClient instead. See https://block.github.io/ftl/docs/reference/verbs/#calling-verbs`, in: "extract.go",
		body:     "//ftl:verb export:realm\nfunc Get(ctx context.Context) error { return Ping(ctx) }\n\n//ftl:verb export:realm\nfunc Ping(ctx context.Context) error { return nil }\n",
		accepted: "calls between verbs are found by the graph's call detection (issue 16), which is not in the scanner yet"},
	{ftl: `unsupported request type %q`, in: "extract.go, verb/analyzer.go",
		body: "type Req struct {\n\tP *int\n}\n\n//ftl:verb export:realm\nfunc Get(ctx context.Context, req Req) error { return nil }\n\n//ftl:verb export:realm\nfunc Put(ctx context.Context, req chan int) error { return nil }\n",
		want: []string{
			`balance/balance.go:13:2: verb get: request balance.Req.p: unsupported type *int`,
			`balance/balance.go:20:31: verb put: request: unsupported type chan int`,
		}},
	{ftl: `unsupported response type %q`, in: "extract.go, verb/analyzer.go",
		body: "type Resp struct {\n\tN uint8\n}\n\n//ftl:verb export:realm\nfunc Get(ctx context.Context) (Resp, error) { return Resp{}, nil }\n",
		want: []string{
			`balance/balance.go:13:2: verb get: response balance.Resp.n: unsupported type uint8`,
		}},
	{ftl: `unsupported type %q for field %q`, in: "extract.go",
		body: "type Inner struct {\n\tF func()\n}\n\ntype Req struct {\n\tIn Inner\n}\n\n//ftl:verb export:realm\nfunc Get(ctx context.Context, req Req) error { return nil }\n",
		want: []string{
			`balance/balance.go:13:2: verb get: request balance.Req.in.f: unsupported type func()`,
		}},
	{ftl: `unsupported type %q`, in: "extract.go",
		body: "type Inner struct {\n\tF float32\n}\n\ntype List = []Inner\n\n//ftl:verb export:realm\nfunc Get(ctx context.Context) (List, error) { return nil, nil }\n",
		want: []string{
			`balance/balance.go:13:2: verb get: response balance.List[].f: unsupported type float32`,
		}},
	{ftl: `external type %q will be widened to Any`, in: "extract.go (a warning)",
		body:     "type Req struct {\n\tWait Wait\n}\n\n//ftl:typealias\ntype Wait time.Duration\n\n//ftl:verb export:realm\nfunc Get(ctx context.Context, req Req) error { return nil }\n",
		accepted: "no warning: the //ftl:typealias over a foreign type asks for exactly this; docs/export.md says other realms see Any"},
	{ftl: `%q is an unsupported generated type: %T`, in: "extract.go", internal: "FTL-generated decls (SQL query verbs, databases) come from FTL's schema, not from Go source"},
	{ftl: `declared %s %q conflicts with FTL-generated %s of the same name`, in: "extract.go", internal: "as above"},
	{ftl: `declaration %q conflicts with FTL-generated %s of the same name`, in: "extract.go", internal: "as above"},
	{ftl: `multiple Go type mappings found for %q`, in: "extract.go",
		body: "//ftl:typealias\n//ftl:typemap go \"time.Duration\"\n//ftl:typemap go \"time.Timer\"\ntype Wait = time.Duration\n\n//ftl:verb export:realm\nfunc Get(ctx context.Context, w Wait) error { return nil }\n",
		want: []string{
			`balance/balance.go:14:1: second //ftl:typemap go (the first is at balance/balance.go:13:1): FTL maps a typealias to one Go type`,
		}},
	{ftl: `missing Go native name in typemapped alias for %q`, in: "extract.go",
		body: "//ftl:typealias\n//ftl:typemap kotlin \"java.lang.String\"\ntype Name string\n\n//ftl:verb export:realm\nfunc Get(ctx context.Context, n Name) error { return nil }\n",
		want: []string{
			`balance/balance.go:14:6: verb get: request balance.Name: typealias Name has a //ftl:typemap but none for go, and aliases no external Go type; FTL wants the Go type of a mapped typealias`,
		}},
	// finalize
	{ftl: `failed to extract verb schema`, in: "finalize/analyzer.go", internal: "an invariant of FTL's analysers (every extracted verb has its resources recorded)"},
	// initialize: FTL loading its own runtime
	{ftl: `failed to load package %q`, in: "initialize/analyzer.go", internal: "FTL loading the context and error types it compares with"},
	{ftl: `expected one package, got %s`, in: "initialize/analyzer.go", internal: "as above"},
	{ftl: `package %q not found`, in: "initialize/analyzer.go", internal: "as above"},
	{ftl: `interface %q not found`, in: "initialize/analyzer.go", internal: "as above"},
	{ftl: `expected an interface, got %s`, in: "initialize/analyzer.go", internal: "as above"},
	// metadata: the directives of one declaration
	{ftl: `expected exactly one "ftl:%s" directive but found multiple`, in: "metadata/analyzer.go",
		body: "//ftl:verb export:realm\n//ftl:verb\nfunc Get(ctx context.Context) error { return nil }\n",
		want: []string{
			`balance/balance.go:13:1: duplicate //ftl:verb directive (the first is at balance/balance.go:12:1)`,
		}},
	{ftl: `unexpected directive "ftl:%s" attached for verb, did you mean to use '//ftl:verb export' instead?`, in: "metadata/analyzer.go",
		body: "//ftl:verb export:realm\n//ftl:data\nfunc Get(ctx context.Context) error { return nil }\n",
		want: []string{
			`balance/balance.go:13:1: //ftl:data on function Get: FTL takes it only on a type declaration`,
		}},
	{ftl: `unexpected directive "ftl:%s"`, in: "metadata/analyzer.go",
		body: "//ftl:cron 0 * * * *\ntype Tick struct{}\n\n//ftl:encoding lenient\ntype Enc struct{}\n\ntype (\n\t//ftl:enum\n\tColor string\n)\n",
		want: []string{
			`balance/balance.go:12:1: //ftl:cron on type Tick: only functions can be verbs`,
			`balance/balance.go:15:1: //ftl:encoding on type Enc: FTL takes it only on a function`,
			`balance/balance.go:19:2: //ftl:enum on type Color inside a grouped declaration: FTL refuses directives there; declare it on its own`,
		}},
	{ftl: `ftl:cron cannot be attached to exported verbs`, in: "metadata/analyzer.go",
		body: "//ftl:verb export\n//ftl:cron 0 * * * *\nfunc Tick(ctx context.Context) error { return nil }\n",
		want: []string{
			`balance/balance.go:13:1: //ftl:cron on verb tick, which is exported: FTL runs cron jobs only on verbs that are not`,
		}},
	{ftl: `ftl:fixture cannot be attached to exported verbs`, in: "metadata/analyzer.go",
		body: "//ftl:verb export:realm\n//ftl:fixture\nfunc Seed(ctx context.Context) error { return nil }\n",
		want: []string{
			`balance/balance.go:13:1: //ftl:fixture on verb seed, which is exported: FTL runs fixtures only on verbs that are not`,
		}},
	{ftl: `custom encoding options can only be specified on ingress verbs`, in: "metadata/analyzer.go",
		body: "//ftl:verb\n//ftl:encoding json lenient\nfunc Get(ctx context.Context) error { return nil }\n",
		want: []string{
			`balance/balance.go:13:1: //ftl:encoding on verb get, which has no //ftl:ingress: FTL takes custom encoding options only on ingress verbs`,
		}},
	{ftl: `only one directive expected when directive "ftl:%s" is present, found multiple`, in: "metadata/analyzer.go",
		body: "//ftl:enum\n//ftl:typemap go \"x.Y\"\ntype Color string\n\nconst Red Color = \"red\"\n\n//ftl:transaction\n//ftl:verb\nfunc Tx(ctx context.Context) error { return nil }\n",
		want: []string{
			`balance/balance.go:13:1: //ftl:typemap next to //ftl:enum: FTL wants //ftl:enum as the only directive of its declaration`,
			`balance/balance.go:19:1: //ftl:verb next to //ftl:transaction: FTL wants //ftl:transaction as the only directive of its declaration`,
		}},
	{ftl: `schema declaration contains conflicting directives`, in: "metadata/analyzer.go",
		body: "//ftl:data\n//ftl:typealias\ntype D struct{}\n\n//ftl:verb\n//ftl:topic partitions=1\nfunc Get(ctx context.Context) error { return nil }\n",
		want: []string{
			`balance/balance.go:13:1: //ftl:typealias conflicts with //ftl:data (at balance/balance.go:12:1): FTL makes a declaration one kind of decl`,
			`balance/balance.go:17:1: //ftl:topic conflicts with //ftl:verb (at balance/balance.go:16:1): FTL makes a declaration one kind of decl`,
		}},
	// typealias, typeenum, valueenumvariant
	{ftl: `declared type %s in typemap does not match native type %s`, in: "typealias/analyzer.go",
		body: "//ftl:typealias\n//ftl:typemap go \"time.Timer\"\ntype Wait time.Duration\n\n//ftl:verb export:realm\nfunc Get(ctx context.Context, w Wait) error { return nil }\n",
		want: []string{
			`balance/balance.go:13:1: verb get: request balance.Wait: //ftl:typemap go "time.Timer" does not match the type Wait aliases, time.Duration`,
		}},
	{ftl: `unexpected directive on typealias %s`, in: "typealias/analyzer.go",
		body: "//ftl:typealias\n//ftl:retry 3 1s\ntype Wait = time.Duration\n",
		want: []string{
			`balance/balance.go:13:1: //ftl:retry on a typealias: FTL takes only //ftl:typemap there`,
		}},
	{ftl: `enum discriminator %q must define at least one method`, in: "typeenum/analyzer.go",
		body: "//ftl:enum\ntype Shape interface{}\n\ntype Req struct {\n\tS Shape\n}\n\n//ftl:verb export:realm\nfunc Get(ctx context.Context, req Req) error { return nil }\n",
		want: []string{
			`balance/balance.go:13:6: verb get: request balance.Req.s: interface Shape has no methods; a type enum is an interface with an unexported marker method`,
		}},
	{ftl: `enum discriminator %q cannot contain exported methods`, in: "typeenum/analyzer.go",
		body: "//ftl:enum\ntype Shape interface{ Area() int }\n\ntype Req struct {\n\tS Shape\n}\n\n//ftl:verb export:realm\nfunc Get(ctx context.Context, req Req) error { return nil }\n",
		want: []string{
			`balance/balance.go:13:6: verb get: request balance.Req.s: type enum Shape has exported method Area; its methods must be unexported, so that only its package can add variants`,
		}},
	{ftl: `Enum value must be exported by making the first letter capitalized`, in: "valueenumvariant/analyzer.go",
		body: "//ftl:enum\ntype Color string\n\nconst (\n\tRed   Color = \"red\"\n\tgreen Color = \"green\"\n)\n\n//ftl:verb export:realm\nfunc Get(ctx context.Context, c Color) error { return nil }\n",
		want: []string{
			`balance/balance.go:17:2: verb get: request balance.Color: enum Color: constant green must be exported to be a variant`,
		}},
	// verb
	{ftl: `unsupported resource type`, in: "verb/analyzer.go", internal: "every resource kind FTL resolves has a metadata kind"},
	{ftl: `unsupported verb parameter type in verb %s at parameter %d; verbs must have the signature func(Context, Request?, Resources...)`, in: "verb/analyzer.go",
		body: "//ftl:verb export:realm\nfunc Get(ctx context.Context, id string, n int) error { return nil }\n\n//ftl:verb export:realm\nfunc Sum(ctx context.Context, id string, more ...int) error { return nil }\n",
		want: []string{
			`balance/balance.go:13:42: verb get: parameter 3 has type int, which is not an FTL resource (a verb client, config, secret, database, topic or egress handle); want func(context.Context[, Request][, resources...]) ([Response, ]error)`,
			`balance/balance.go:16:6: verb sum: a verb cannot be variadic; want func(context.Context[, Request][, resources...]) ([Response, ]error)`,
		}},
	{ftl: `unsupported verb parameter type`, in: "verb/analyzer.go",
		body: "//ftl:verb export:realm\nfunc Get(ctx context.Context, id string, cancel context.CancelFunc) error { return nil }\n",
		want: []string{
			`balance/balance.go:13:42: verb get: parameter 3 has func type context.CancelFunc, which is not declared in an FTL module; FTL injects only verb clients`,
		}},
	{ftl: `could not inject external verb %q because calling external verbs from within a transaction is not allowed`, in: "verb/analyzer.go",
		files: map[string]string{
			"balance/balance.go": "package balance\n\nimport (\n\t\"context\"\n\n\t\"ftl/ledger\"\n)\n\n//ftl:transaction\nfunc Move(ctx context.Context, record ledger.RecordClient) error { return nil }\n",
			"ledger/ledger.go":   "package ledger\n\nimport \"context\"\n\n// RecordClient calls Record.\ntype RecordClient func(context.Context) error\n\n//ftl:verb export\nfunc Record(ctx context.Context) error { return nil }\n",
			"balance/go.mod":     "module ftl/balance\n\ngo 1.24\n",
			"ledger/go.mod":      "module ftl/ledger\n\ngo 1.24\n",
			"go.work":            "go 1.24\n\nuse (\n\t./balance\n\t./ledger\n)\n",
		},
		want: []string{
			`balance/balance.go:10:32: verb move: parameter 2 is a client of module ledger; FTL lets a transaction call only its own module's verbs`,
		}},
	{ftl: `could not inject external topic %q because publishing directly to external topics is not allowed`, in: "verb/analyzer.go",
		files: map[string]string{
			"balance/balance.go": "package balance\n\nimport (\n\t\"context\"\n\n\t\"ftl/ledger\"\n)\n\n//ftl:verb export:realm\nfunc Move(ctx context.Context, events ledger.Events) error { return nil }\n",
			"ledger/ledger.go":   "package ledger\n\nimport \"github.com/block/ftl/go-runtime/ftl\"\n\n// Events are the ledger's.\n//\n//ftl:topic export partitions=1\ntype Events = ftl.TopicHandle[string, ftl.SinglePartitionMap[string]]\n",
			"go.work":            "go 1.24\n\nuse (\n\t./balance\n\t./ledger\n)\n",
		},
		want: []string{
			`balance/balance.go:10:32: verb move: parameter 2 is topic ledger.Events of another module; FTL publishes only to a module's own topics`,
		}},
	{ftl: `ftl:verb cannot be a method`, in: "verb/analyzer.go",
		body: "type Acc struct{}\n\n//ftl:verb\nfunc (Acc) Get(ctx context.Context) error { return nil }\n",
		want: []string{
			`balance/balance.go:14:1: //ftl:verb on method Acc.Get: a verb must be a top-level function`,
		}},
	{ftl: `unsupported verb parameter type; expected generated database handle`, in: "verb/analyzer.go",
		body:     "type DB = ftl.DatabaseHandle[int]\n\n//ftl:verb export:realm\nfunc Get(ctx context.Context, db DB) error { return nil }\n",
		accepted: "databases are not in a realm's public schema; a verb's database handles are FTL's business inside the realm, and FTL's build checks them"},
	{ftl: `no database name found for verb parameter`, in: "verb/analyzer.go",
		body:     "type PgConfig struct{}\n\ntype DB = ftl.DatabaseHandle[PgConfig]\n\n//ftl:verb export:realm\nfunc Get(ctx context.Context, db DB) error { return nil }\n",
		accepted: "as above"},
	{ftl: `failed to resolve module for type`, in: "verb/analyzer.go",
		internal: "a database config (declared with //ftl:database) is in an FTL module, whose path FTL resolves"},
	{ftl: `unsupported verb parameter type; expected ftl.TopicHandle[Event, PartitionMapper]`, in: "verb/analyzer.go",
		body: "//ftl:verb export:realm\nfunc Get(ctx context.Context, limit ftl.Config[int]) error { return nil }\n",
		want: []string{
			`balance/balance.go:13:31: verb get: parameter 2 is an inline ftl.Config[int]; FTL injects a config only through an alias, which names it: type Limit = ftl.Config[int]`,
		}},
	{ftl: `verb function must be named`, in: "verb/analyzer.go", internal: "a function declaration always has a name"},
	{ftl: `verb function name must be exported (i.e. %s instead of %s)`, in: "verb/analyzer.go",
		body: "//ftl:verb\nfunc get(ctx context.Context) error { return nil }\n\n//ftl:cron 0 * * * *\nfunc tick(ctx context.Context) error { return nil }\n",
		want: []string{
			`balance/balance.go:13:6: verb get: function get must be exported (name it Get)`,
			`balance/balance.go:16:6: verb tick: function tick must be exported (name it Tick)`,
		}},
	{ftl: `first parameter must be context.Context`, in: "verb/analyzer.go",
		body: "//ftl:verb export:realm\nfunc Get() error { return nil }\n",
		want: []string{
			`balance/balance.go:13:9: verb get: the first parameter must be a context.Context; want func(context.Context[, Request][, resources...]) ([Response, ]error)`,
		}},
	{ftl: `first parameter must be of type context.Context but is %s`, in: "verb/analyzer.go",
		body: "//ftl:verb export:realm\nfunc Get(id string) error { return nil }\n",
		want: []string{
			`balance/balance.go:13:10: verb get: the first parameter must be a context.Context, not a string; want func(context.Context[, Request][, resources...]) ([Response, ]error)`,
		}},
	{ftl: `second parameter must not be ftl.Unit (verbs without a request type should omit the request parameter)`, in: "verb/analyzer.go",
		body: "//ftl:verb export:realm\nfunc Get(ctx context.Context, u ftl.Unit) error { return nil }\n",
		want: []string{
			`balance/balance.go:13:31: verb get: the request must not be ftl.Unit; leave it out instead`,
		}},
	{ftl: `must have at most two results (<type>, error)`, in: "verb/analyzer.go",
		body: "//ftl:verb export:realm\nfunc Get(ctx context.Context) (int, int, error) { return 0, 0, nil }\n",
		want: []string{
			`balance/balance.go:13:1: verb get: a verb returns ([Response, ]error), not 3 results`,
		}},
	{ftl: `must at least return an error`, in: "verb/analyzer.go",
		body: "//ftl:verb export:realm\nfunc Get(ctx context.Context) {}\n",
		want: []string{
			`balance/balance.go:13:1: verb get: a verb returns ([Response, ]error), not 0 results`,
		}},
	{ftl: `must return an error but is %q`, in: "verb/analyzer.go",
		body: "//ftl:verb export:realm\nfunc Get(ctx context.Context) (int, string) { return 0, \"\" }\n",
		want: []string{
			`balance/balance.go:13:37: verb get: the last result must be an error, not a string`,
		}},
	{ftl: `second result must not be ftl.Unit`, in: "verb/analyzer.go",
		internal: "FTL checks the second result, the error, so it never reports this: it accepts (ftl.Unit, error), which the scanner refuses (see ftlDifferences)"},
	// common/schema's module validator, on what a Go module declares
	{ftl: `module name %q is invalid`, in: "common/schema/validate.go",
		files: map[string]string{
			"balance/ftl.toml":   "module = \"type\"\nlanguage = \"go\"\n",
			"balance/go.mod":     "module ftl/type\n\ngo 1.24\n",
			"balance/balance.go": "package balance\n\nimport \"context\"\n\n//ftl:verb export:realm\nfunc Get(ctx context.Context) error { return nil }\n",
		},
		want: []string{
			`balance/ftl.toml:1:1: invalid module name "type": Go keyword`,
		}},
	{ftl: `retries can only be added to subscribers`, in: "common/schema/validate.go",
		body: "//ftl:verb export:realm\n//ftl:retry 3 1s\nfunc Get(ctx context.Context) error { return nil }\n",
		want: []string{
			`balance/balance.go:13:1: //ftl:retry on verb get, which is not a subscriber: FTL retries only subscribers (//ftl:subscribe)`,
		}},
	{ftl: `ingress verb %s: %s type %s must be builtin.HttpRequest`, in: "common/schema/validate.go", http: true,
		body: "type Req struct{ ID string }\n\n//ftl:ingress http POST /get\nfunc Get(ctx context.Context, req Req) (builtin.HttpResponse[Req, string], error) {\n\treturn builtin.HttpResponse[Req, string]{}, nil\n}\n\n//ftl:ingress http GET /ping\nfunc Ping(ctx context.Context) (builtin.HttpResponse[Req, string], error) {\n\treturn builtin.HttpResponse[Req, string]{}, nil\n}\n",
		want: []string{
			`balance/balance.go:17:31: ingress verb get: the request must be a builtin.HttpRequest[Body, PathParameters, Query], not Req`,
			`balance/balance.go:22:10: ingress verb ping: the request must be a builtin.HttpRequest[Body, PathParameters, Query], not none`,
		}},
	{ftl: `ingress verb %s: %s type %s must be builtin.HttpResponse`, in: "common/schema/validate.go", http: true,
		body: "type Resp struct{ ID string }\n\ntype Req = builtin.HttpRequest[ftl.Unit, ftl.Unit, ftl.Unit]\n\n//ftl:ingress http GET /get\nfunc Get(ctx context.Context, req Req) (Resp, error) { return Resp{}, nil }\n\n//ftl:ingress http GET /ping\nfunc Ping(ctx context.Context, req Req) error { return nil }\n",
		want: []string{
			`balance/balance.go:19:41: ingress verb get: the response must be a builtin.HttpResponse[Body, Error], not Resp`,
			`balance/balance.go:22:1: ingress verb ping: the response must be a builtin.HttpResponse[Body, Error], not none`,
		}},
	{ftl: `verb %s: cron job can not have a request type`, in: "common/schema/validate.go",
		body: "//ftl:cron 0 * * * *\nfunc Tick(ctx context.Context, n int) error { return nil }\n",
		want: []string{
			`balance/balance.go:13:32: verb tick: a cron job takes no request, not int: FTL calls it with none`,
		}},
	{ftl: `verb %s: cron job can not have a response type`, in: "common/schema/validate.go",
		body: "//ftl:cron 0 * * * *\nfunc Tick(ctx context.Context) (int, error) { return 0, nil }\n",
		want: []string{
			`balance/balance.go:13:33: verb tick: a cron job returns only an error, not int: FTL reads no response`,
		}},
	{ftl: `verb %s: invalid cron expression %q: %v`, in: "common/schema/validate.go",
		body:     "//ftl:cron 99 * * * *\nfunc Tick(ctx context.Context) error { return nil }\n\n//ftl:verb export:realm\nfunc Get(ctx context.Context) error { return nil }\n",
		accepted: "as for FTL's directive parser: a cron pattern configures FTL's runtime inside the realm"},
	{ftl: `%s name %q is a reserved word`, in: "common/schema/validate.go",
		body: "type String struct{ S string }\n\n//ftl:verb export:realm\nfunc Get(ctx context.Context) (String, error) { return String{}, nil }\n",
		want: []string{
			`balance/balance.go:12:6: invalid data name "String": reserved word`,
		}},
}
