package deployhook

/*
#include <deployhook.h>
*/
import "C"

import (
	"strings"
	"time"
)

// Code is the kind of a failure: the C ABI's deployhook_error number (a 32-bit int). New codes are only
// ever appended; a number this version does not know stays representable and prints as "UNKNOWN".
type Code int32

// The C ABI's codes, with its numbers.
const (
	CodeOK              Code = C.DEPLOYHOOK_OK
	CodeInvalidArgument Code = C.DEPLOYHOOK_ERR_INVALID_ARGUMENT // a bad hook, option or argument; nothing was sent
	CodeNotFound        Code = C.DEPLOYHOOK_ERR_NOT_FOUND        // no such hook or build (HTTP 404, Cloudflare code 12000)
	CodeRateLimited     Code = C.DEPLOYHOOK_ERR_RATE_LIMITED     // HTTP 429, Cloudflare code 12051, after retries
	CodeAPI             Code = C.DEPLOYHOOK_ERR_API              // any other Cloudflare error envelope
	CodeHTTP            Code = C.DEPLOYHOOK_ERR_HTTP             // a non-2xx answer with no Cloudflare envelope
	CodeNetwork         Code = C.DEPLOYHOOK_ERR_NETWORK          // could not resolve, connect, send or receive
	CodeTimeout         Code = C.DEPLOYHOOK_ERR_TIMEOUT          // the connect timeout or the total deadline passed
	CodeTLS             Code = C.DEPLOYHOOK_ERR_TLS              // TLS handshake or certificate verification failed
	CodeResponse        Code = C.DEPLOYHOOK_ERR_RESPONSE         // a malformed, unreadable or oversized response
	CodeInternal        Code = C.DEPLOYHOOK_ERR_INTERNAL         // a bug or resource failure inside the library
	CodeWaitTimeout     Code = C.DEPLOYHOOK_ERR_WAIT_TIMEOUT     // the build did not stop before the wait timeout
	CodeCancelled       Code = C.DEPLOYHOOK_ERR_CANCELLED        // the call was interrupted (its context ended)
	CodeNoCredentials   Code = C.DEPLOYHOOK_ERR_NO_CREDENTIALS   // following a build needs a token and an account ID
)

// String is the code's stable name: the library's name without "DEPLOYHOOK_ERR_" (or "DEPLOYHOOK_"),
// e.g. "NOT_FOUND"; "UNKNOWN" for a number this version of the library does not know.
func (c Code) String() string {
	name := C.GoString(C.deployhook_error_name(C.int(c)))
	return strings.TrimPrefix(strings.TrimPrefix(name, "DEPLOYHOOK_ERR_"), "DEPLOYHOOK_")
}

// Status is the state of a build as Cloudflare reported it: the C ABI's deployhook_status number.
type Status int32

// The C ABI's statuses. StatusUnknown is also any number this version does not know.
const (
	StatusUnknown      Status = C.DEPLOYHOOK_STATUS_UNKNOWN
	StatusQueued       Status = C.DEPLOYHOOK_STATUS_QUEUED
	StatusInitializing Status = C.DEPLOYHOOK_STATUS_INITIALIZING
	StatusRunning      Status = C.DEPLOYHOOK_STATUS_RUNNING
	StatusStopped      Status = C.DEPLOYHOOK_STATUS_STOPPED
)

// String is the API's word for the status ("queued", ...), "unknown" for any other number.
func (s Status) String() string { return C.GoString(C.deployhook_status_name(C.int(s))) }

// Outcome is how a stopped build ended: the C ABI's deployhook_outcome number.
type Outcome int32

// The C ABI's outcomes. OutcomeNone until the build has stopped.
const (
	OutcomeNone       Outcome = C.DEPLOYHOOK_OUTCOME_NONE
	OutcomeSuccess    Outcome = C.DEPLOYHOOK_OUTCOME_SUCCESS
	OutcomeFail       Outcome = C.DEPLOYHOOK_OUTCOME_FAIL
	OutcomeSkipped    Outcome = C.DEPLOYHOOK_OUTCOME_SKIPPED
	OutcomeCancelled  Outcome = C.DEPLOYHOOK_OUTCOME_CANCELLED
	OutcomeTerminated Outcome = C.DEPLOYHOOK_OUTCOME_TERMINATED
	OutcomeUnknown    Outcome = C.DEPLOYHOOK_OUTCOME_UNKNOWN
)

// String is the API's word for the outcome ("success", ...), "none" for OutcomeNone, "unknown" otherwise.
func (o Outcome) String() string { return C.GoString(C.deployhook_outcome_name(C.int(o))) }

// Error is a failed call, as the library reported it. Message is the library's text: it never holds a
// hook or a token. Use errors.Is with the sentinels (ErrNotFound, ...) or errors.As to read the fields.
type Error struct {
	Code       Code   // the kind of failure
	APICode    int    // Cloudflare's first error code (e.g. 12000), 0 if none
	HTTPStatus int    // the HTTP status of the last answer, 0 when none arrived
	CFRay      string // the cf-ray header of the last answer (for Cloudflare support), "" when absent
	Message    string // the library's explanation

	cause    error // the context's error, for a call its context stopped
	sentinel bool  // one of the Err... values: errors.Is matches it by Code
}

// Error is the library's message (its error name when it gave none), then the context's error when the
// call's context stopped it.
func (e *Error) Error() string {
	text := e.Message
	if text == "" {
		text = C.GoString(C.deployhook_error_name(C.int(e.Code)))
	}
	if e.cause != nil {
		text += ": " + e.cause.Error()
	}
	return text
}

// Unwrap is the context's error (context.Canceled or context.DeadlineExceeded) when the call's context
// stopped it, else nil.
func (e *Error) Unwrap() error { return e.cause }

// Is reports whether target is the sentinel of e's code: errors.Is(err, deployhook.ErrNotFound).
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.sentinel && t.Code == e.Code
}

// One sentinel per code, for errors.Is.
var (
	ErrInvalidArgument = &Error{Code: CodeInvalidArgument, sentinel: true}
	ErrNotFound        = &Error{Code: CodeNotFound, sentinel: true}
	ErrRateLimited     = &Error{Code: CodeRateLimited, sentinel: true}
	ErrAPI             = &Error{Code: CodeAPI, sentinel: true}
	ErrHTTP            = &Error{Code: CodeHTTP, sentinel: true}
	ErrNetwork         = &Error{Code: CodeNetwork, sentinel: true}
	ErrTimeout         = &Error{Code: CodeTimeout, sentinel: true}
	ErrTLS             = &Error{Code: CodeTLS, sentinel: true}
	ErrResponse        = &Error{Code: CodeResponse, sentinel: true}
	ErrInternal        = &Error{Code: CodeInternal, sentinel: true}
	ErrWaitTimeout     = &Error{Code: CodeWaitTimeout, sentinel: true}
	ErrCancelled       = &Error{Code: CodeCancelled, sentinel: true}
	ErrNoCredentials   = &Error{Code: CodeNoCredentials, sentinel: true}
)

// Build is what the library reports of a build: after a trigger, its UUID, status, AlreadyExists and
// creation time; after a wait also its outcome, times, preview URL and trigger details; after a cancel its
// outcome, stop time and AlreadyStopped. A string the library did not give is "", a time is the zero
// time, a yes/no it did not give is nil.
type Build struct {
	BuildUUID      string
	Status         Status
	Outcome        Outcome
	AlreadyExists  *bool // a build for the branch was already pending, so none was started
	AlreadyStopped *bool // after Cancel: the build had stopped before (Outcome says how)
	CreatedOn      time.Time
	InitializingOn time.Time
	RunningOn      time.Time
	StoppedOn      time.Time
	ModifiedOn     time.Time
	PreviewURL     string
	Branch         string
	CommitHash     string
	CommitMessage  string
	Author         string
	TriggerSource  string // "push", "pull_request", "manual", "api" or "deploy_hook", as sent
	DeployHookName string
	TriggerName    string
	CFRay          string // the cf-ray header of the last answer
}

// TriggerResult is one hook's outcome in TriggerMany: its Build, or its error (then Err is non-nil).
type TriggerResult struct {
	Build Build
	Err   error
}
