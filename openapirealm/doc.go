// Package openapirealm makes an HTTP/JSON API described by OpenAPI 3.0 or
// 3.1 an FTL realm: Import turns the document into a realm schema (a module
// per tag, a verb per operation, a data type or enum per schema the
// operations reach) that consumers pin and generate clients from like any
// other; a Proxy then serves that realm's verbs over FTL's VerbService by
// making the HTTP requests they came from.
//
// Import and the proxy share one mapping (mapSpec): the proxy imports the
// document afresh, checks that it still gives the schema it serves, and
// converts between FTL's JSON and the API's with what the mapping recorded
// (JSON keys, required properties, discriminators, parameter styles).
// docs/openapi.md has the mapping rules.
package openapirealm
