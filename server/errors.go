package server

import (
	"errors"
	"net"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/skiffpaas/skiff/planner"
	"github.com/skiffpaas/skiff/planner/release"
)

// Error codes: stable strings clients may switch on.
const (
	CodeBadRequest         = "bad_request"
	CodeUnauthorized       = "unauthorized"
	CodeForbidden          = "forbidden"
	CodeNotFound           = "not_found"
	CodeSpecInvalid        = "spec_invalid"
	CodeLocked             = "locked"
	CodeConflict           = "conflict"
	CodePreconditionFailed = "precondition_failed"
	CodeTooLarge           = "payload_too_large"
	CodeUnavailable        = "unavailable"
	CodeInternal           = "internal"
)

// ErrorItem is one entry of an error response.
type ErrorItem struct {
	Code   string `json:"code" doc:"Stable machine-readable code"`
	Detail string `json:"detail" doc:"What went wrong and how to fix it"`
	// Diagnostic is set for spec errors: the problem with its place in the spec.
	Diagnostic *Diagnostic `json:"diagnostic,omitempty"`
}

// Error is the body of every error response (application/problem+json).
type Error struct {
	Status    int         `json:"status" doc:"HTTP status code"`
	Title     string      `json:"title" doc:"Short summary of the status"`
	Detail    string      `json:"detail,omitempty" doc:"What went wrong"`
	RequestID string      `json:"request_id,omitempty" doc:"The Request-Id of the request, for the server's logs"`
	Errors    []ErrorItem `json:"errors" doc:"The errors, each with a stable code"`
}

func (e *Error) Error() string { return e.Detail }

// GetStatus returns the HTTP status (huma.StatusError).
func (e *Error) GetStatus() int { return e.Status }

// ContentType makes errors application/problem+json.
func (e *Error) ContentType(ct string) string {
	if ct == "application/json" {
		return "application/problem+json"
	}
	return ct
}

// apiError returns an error response with one item.
func apiError(status int, code, detail string) *Error {
	return &Error{Status: status, Title: http.StatusText(status), Detail: detail,
		Errors: []ErrorItem{{Code: code, Detail: detail}}}
}

// codeForStatus is the code of errors huma itself raises (validation, unknown routes, oversize bodies).
func codeForStatus(status int) string {
	switch status {
	case http.StatusBadRequest, http.StatusUnprocessableEntity:
		return CodeBadRequest
	case http.StatusUnauthorized:
		return CodeUnauthorized
	case http.StatusForbidden:
		return CodeForbidden
	case http.StatusNotFound:
		return CodeNotFound
	case http.StatusRequestEntityTooLarge:
		return CodeTooLarge
	case http.StatusConflict:
		return CodeConflict
	case http.StatusPreconditionFailed:
		return CodePreconditionFailed
	default:
		return CodeInternal
	}
}

// newHumaError is installed as huma.NewError (see New) so that errors huma raises itself — request validation,
// malformed JSON, oversize bodies — have the same shape and codes as the handlers' own.
func newHumaError(status int, msg string, errs ...error) huma.StatusError {
	e := &Error{Status: status, Title: http.StatusText(status), Detail: msg}
	code := codeForStatus(status)
	for _, err := range errs {
		if err == nil {
			continue
		}
		e.Errors = append(e.Errors, ErrorItem{Code: code, Detail: err.Error()})
	}
	if len(e.Errors) == 0 {
		e.Errors = []ErrorItem{{Code: code, Detail: msg}}
	}
	return e
}

// fromLibrary maps an error of the planner to an API error: typed errors get their status and code; anything
// else is a 500 whose detail is the error's text (library errors never hold secrets).
func fromLibrary(err error) *Error {
	var apiErr *Error
	var locked *release.LockedError
	var diags *planner.DiagnosticsError
	var behind *planner.ChangedBehindError
	var stale *planner.StaleReleaseError
	switch {
	case errors.As(err, &apiErr):
		return apiErr
	case errors.As(err, &locked):
		return apiError(http.StatusConflict, CodeLocked, locked.Error())
	case errors.As(err, &diags):
		return specError(diags.Diags, nil)
	case errors.As(err, &behind):
		return apiError(http.StatusConflict, CodeConflict, behind.Error())
	case errors.As(err, &stale):
		return apiError(http.StatusPreconditionFailed, CodePreconditionFailed, stale.Error())
	case errors.Is(err, planner.ErrNotDeployed), errors.Is(err, planner.ErrNotFound):
		return apiError(http.StatusNotFound, CodeNotFound, err.Error())
	case errors.Is(err, planner.ErrNothingToDo):
		return apiError(http.StatusConflict, CodeConflict, err.Error())
	default:
		return apiError(http.StatusInternalServerError, CodeInternal, err.Error())
	}
}

// invalidOr maps an error of an operation on a request's values: not-found and typed errors as fromLibrary
// does, Nomad or Consul being unreachable as 503, and anything else as 422 (the request asked for something the
// app cannot do, such as scaling a cron process).
func invalidOr(err error) *Error {
	if e := fromLibrary(err); e.Status != http.StatusInternalServerError {
		return e
	}
	var nerr net.Error
	if errors.As(err, &nerr) {
		return apiError(http.StatusServiceUnavailable, CodeUnavailable, err.Error())
	}
	return apiError(http.StatusUnprocessableEntity, CodeBadRequest, err.Error())
}
