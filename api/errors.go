package api

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
)

// Error codes: the stable strings the server puts in every error item (APIError.Errors[i].Code).
const (
	// CodeBadRequest: the request is malformed or out of range (400, 422).
	CodeBadRequest = "bad_request"
	// CodeUnauthorized: no token, or not a valid one (401).
	CodeUnauthorized = "unauthorized"
	// CodeForbidden: the token may not do this (403).
	CodeForbidden = "forbidden"
	// CodeNotFound: no such app, release, run or path (404).
	CodeNotFound = "not_found"
	// CodeSpecInvalid: the spec has errors; each item carries a Diagnostic (422).
	CodeSpecInvalid = "spec_invalid"
	// CodeLocked: another deploy, rollback or destroy of the app holds its lock (409).
	CodeLocked = "locked"
	// CodeConflict: the app's state forbids it (a job changed behind skiff, nothing to cancel) (409).
	CodeConflict = "conflict"
	// CodePreconditionFailed: the live release is not the one If-Match named (412).
	CodePreconditionFailed = "precondition_failed"
	// CodeTooLarge: the body is over the server's limit (413).
	CodeTooLarge = "payload_too_large"
	// CodeUnavailable: a system behind the server does not answer (503). The server declares it but sends it
	// nowhere yet: an outage of Nomad or Consul comes back as CodeInternal.
	CodeUnavailable = "unavailable"
	// CodeInternal: anything else (500); the server's log has the request ID.
	CodeInternal = "internal"
)

// APIError is an answer with a status other than 2xx: the server's problem+json body, or, for an answer that
// is not one (a proxy's error page), the status and the start of the body. Check for it with errors.As, or
// with the predicates IsNotFound, IsLocked, ... which look through wrapping.
type APIError struct {
	// StatusCode is the HTTP status.
	StatusCode int `json:"status"`
	// Title is the status's text; Detail says what went wrong.
	Title  string `json:"title"`
	Detail string `json:"detail,omitempty"`
	// RequestID names the request in the server's log.
	RequestID string `json:"request_id,omitempty"`
	// Errors are the individual errors, each with a stable code; a spec error has one per diagnostic.
	Errors []ErrorItem `json:"errors"`

	// Method and Path are the request's (set by the client, not the server).
	Method string `json:"-"`
	Path   string `json:"-"`
	// Raw is set when the body was not the API's error shape: Errors is empty and Detail holds the body.
	Raw bool `json:"-"`
}

// ErrorItem is one error of an APIError.
type ErrorItem struct {
	Code   string `json:"code"`
	Detail string `json:"detail"`
	// Diagnostic is set on spec_invalid items: the problem and its place in the spec.
	Diagnostic *Diagnostic `json:"diagnostic,omitempty"`
}

// Error renders the error on one line: the request, the status, the code(s) and the details.
func (e *APIError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "skiff: %s %s: %d", e.Method, e.Path, e.StatusCode)
	if codes := e.Codes(); len(codes) > 0 {
		b.WriteString(" " + strings.Join(codes, ","))
	}
	switch {
	case len(e.Errors) == 1 && e.Errors[0].Detail != "":
		b.WriteString(": " + e.Errors[0].Detail)
	case len(e.Errors) > 1:
		if e.Detail != "" {
			b.WriteString(": " + e.Detail)
		}
		for _, it := range e.Errors {
			b.WriteString("; " + it.Detail)
		}
	case e.Detail != "":
		b.WriteString(": " + e.Detail)
	default:
		b.WriteString(" " + e.Title)
	}
	if e.RequestID != "" {
		b.WriteString(" (request " + e.RequestID + ")")
	}
	return b.String()
}

// Code returns the code of the first error item, or "" when the answer had none (Raw).
func (e *APIError) Code() string {
	if len(e.Errors) == 0 {
		return ""
	}
	return e.Errors[0].Code
}

// Codes returns the distinct codes of the error items, in order.
func (e *APIError) Codes() []string {
	var out []string
	for _, it := range e.Errors {
		dup := false
		for _, c := range out {
			dup = dup || c == it.Code
		}
		if !dup && it.Code != "" {
			out = append(out, it.Code)
		}
	}
	return out
}

// HasCode reports whether any error item has code.
func (e *APIError) HasCode(code string) bool {
	for _, it := range e.Errors {
		if it.Code == code {
			return true
		}
	}
	return false
}

// Diagnostics returns the spec diagnostics of the error items (spec_invalid), in order; nil for other errors.
func (e *APIError) Diagnostics() []Diagnostic {
	var out []Diagnostic
	for _, it := range e.Errors {
		if it.Diagnostic != nil {
			out = append(out, *it.Diagnostic)
		}
	}
	return out
}

// is reports whether err is an *APIError with code, or (for answers without the API's body) status.
func is(err error, code string, status int) bool {
	var e *APIError
	if !errors.As(err, &e) {
		return false
	}
	if e.HasCode(code) {
		return true
	}
	return len(e.Errors) == 0 && status != 0 && e.StatusCode == status
}

// IsNotFound reports whether err says the app, release or path does not exist (not_found, or a bare 404).
func IsNotFound(err error) bool { return is(err, CodeNotFound, http.StatusNotFound) }

// IsLocked reports whether err says another deploy, rollback or destroy of the app holds its lock.
func IsLocked(err error) bool { return is(err, CodeLocked, 0) }

// IsUnauthorized reports whether err says the token is missing or not valid.
func IsUnauthorized(err error) bool { return is(err, CodeUnauthorized, http.StatusUnauthorized) }

// IsForbidden reports whether err says the token may not do this.
func IsForbidden(err error) bool { return is(err, CodeForbidden, http.StatusForbidden) }

// IsSpecInvalid reports whether err says the spec has errors; APIError.Diagnostics says where.
func IsSpecInvalid(err error) bool { return is(err, CodeSpecInvalid, 0) }

// IsConflict reports whether err says the request conflicts with the app's state (a job changed behind
// skiff, nothing to cancel).
func IsConflict(err error) bool { return is(err, CodeConflict, http.StatusConflict) }

// IsPreconditionFailed reports whether err says the live release is not the one If-Match named.
func IsPreconditionFailed(err error) bool {
	return is(err, CodePreconditionFailed, http.StatusPreconditionFailed)
}

// IsBadRequest reports whether err says the request itself was malformed or out of range.
func IsBadRequest(err error) bool { return is(err, CodeBadRequest, http.StatusBadRequest) }
