package ftlrealm

import (
	"fmt"
	"strings"
)

// VerbError is a verb's own failure, reported by the remote realm in the
// response (CallResponse.error) rather than as a transport error.
type VerbError struct {
	Verb Verb
	// Message is the remote error message. The words `call to verb
	// <module>.<name> failed: ` that FTL's module server (and a Server)
	// put before a verb's error are taken off, since Error names the verb
	// already: the message reads the same from either kind of realm. A
	// request the realm could not decode reads "invalid request to verb
	// <module>.<name>: …", as FTL words it.
	Message string
	Stack   string // the remote stack trace, when the realm sent one
}

// Error renders the verb and the remote message.
func (e *VerbError) Error() string {
	return fmt.Sprintf("ftlrealm: verb %s failed: %s", e.Verb, e.Message)
}

// trimFailedPrefix takes FTL's `call to verb module.name failed: ` off
// message, when it names that verb. It cuts what verbFailure puts on, so
// the two words cannot drift apart.
func trimFailedPrefix(message, module, name string) string {
	if rest, ok := strings.CutPrefix(message, ftlFailedPrefix(module, name)); ok {
		return rest
	}
	return message
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
