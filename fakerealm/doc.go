// Package fakerealm serves a realm's exported verbs from its schema alone,
// with made-up answers, so that a consumer realm can be developed and
// tested locally without the real one (`ftl-gen-realm fake`).
//
// Every call's request is checked against the verb's request type the way
// the runtime's decoder reads it (null or missing fields are defaults,
// unknown keys are ignored); a request that does not fit is answered
// in-band, "invalid request to verb module.name: " and the JSON path of the
// problem, as runtime/ftlrealm and FTL's own module server answer one that
// does not decode. A verb the fake does not serve is NotFound.
//
// # Default answers
//
// Without a fixture a verb answers the default of its response type in
// FTL's JSON encoding: every field present, Int and Float 0, String and
// Bytes "", Bool false, Time "0001-01-01T00:00:00Z" (Go's zero time),
// Any null, Unit {}, arrays [], maps {}, optionals null, data an object of
// its fields' defaults (type parameters replaced by the ref's type
// arguments), aliases the default of their type, value enums their first
// variant's value, type enums {"name": <first variant>, "value": <its
// default>}. A type enum whose first variant contains the enum again
// through fields that cannot be empty takes the first variant that does
// not; when every variant does (no finite value exists) the default has
// null where it recurs, and Notes says where. (Data that contains itself
// by value is refused by schema.Validate.)
//
// # Fixtures
//
// A fixtures file is a JSON object keyed by "module.verb". Each value is
// an answer, or a list of answers tried in order, the first whose "when"
// matches the request winning; when none matches, the verb answers its
// default. An answer is
//
//	{"response": <value>}                answer this (missing fields: their defaults)
//	{"error": "message"}                 fail in-band: the caller gets a *ftlrealm.VerbError
//	{"when": <request>, ...}             only for requests that match
//
// "when" is a partial request: every member of an object it gives must be
// in the request and match, at any depth; arrays and other values must be
// equal. The request's missing and null fields count as their defaults.
// For example:
//
//	{
//	  "balance.withdraw": [
//	    {"when": {"account": "bob"}, "error": "insufficient funds"},
//	    {"when": {"amount": 0}, "response": {"balance": 100}},
//	    {"response": {"balance": 70}}
//	  ],
//	  "balance.now": {"response": "2024-05-01T10:00:00Z"}
//	}
//
// Fixtures are checked when the fake is made, more strictly than requests,
// because their mistakes would otherwise go unnoticed: the verb must be
// exported, responses and "when" must have exactly the JSON types of the
// schema (null only for optionals and Any), data objects no unknown keys,
// value enums one of their values. An answer is an object so that a
// response that is itself an array, or has a field called "error", is
// never mistaken for something else.
package fakerealm
