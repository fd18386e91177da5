package ftlrealm

import "fmt"

// VerbError is a verb's own failure, reported by the remote realm in the
// response (CallResponse.error) rather than as a transport error.
type VerbError struct {
	Verb    Verb
	Message string // the remote error message
	Stack   string // the remote stack trace, when the realm sent one
}

// Error renders the verb and the remote message.
func (e *VerbError) Error() string {
	return fmt.Sprintf("ftlrealm: verb %s failed: %s", e.Verb, e.Message)
}

// CallError is a call that did not get an answer from the verb: no endpoint,
// a request that could not be encoded, a transport failure (a connect error:
// connect.CodeOf sees through CallError), or a response that could not be
// decoded.
type CallError struct {
	Verb     Verb
	Endpoint string // empty when none was resolved
	Err      error
}

// Error renders the verb, the endpoint when known, and the cause.
func (e *CallError) Error() string {
	if e.Endpoint == "" {
		return fmt.Sprintf("ftlrealm: call %s: %v", e.Verb, e.Err)
	}
	return fmt.Sprintf("ftlrealm: call %s at %s: %v", e.Verb, e.Endpoint, e.Err)
}

// Unwrap returns the underlying error.
func (e *CallError) Unwrap() error { return e.Err }
