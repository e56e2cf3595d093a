// Package deployhook triggers Cloudflare Workers Builds deploy hooks, follows the builds they start and
// cancels them, through the C library libdeployhook (found with pkg-config).
//
//	build, err := deployhook.Trigger(ctx, os.Getenv("CLOUDFLARE_DEPLOY_HOOK"))
//
// The binding only converts: every rule, retry, message and number comes from the library. A hook and an
// API token are secrets: no value of this package prints either (the library's messages never hold
// them, and no Go value here keeps them). Every call blocks its goroutine; when its context ends, the
// call is interrupted through the library within 100 ms and returns an *Error with Code CodeCancelled
// that also wraps ctx.Err(), so both errors.Is(err, ErrCancelled) and errors.Is(err, context.Canceled)
// (or context.DeadlineExceeded) hold.
package deployhook

/*
#cgo pkg-config: deployhook
#cgo CFLAGS: -Werror=incompatible-pointer-types -Werror=discarded-qualifiers
#include <stdint.h>
#include <stdlib.h>
#include <deployhook.h>

// goWaitCallback is the Go function exported by callback.go, declared exactly as
// deployhook_wait_callback has it (const char *text).
extern void goWaitCallback(int event, int status, const char *text, double timestamp, void *user_data);

// Everything a result holds, read in one call; the strings stay borrowed from the result.
typedef struct {
	int code, api_code, http_status, status, outcome, already_exists, already_stopped;
	const char *message, *cf_ray, *build_uuid, *created_on, *initializing_on, *running_on, *stopped_on,
		*modified_on, *preview_url, *branch, *commit_hash, *commit_message, *author, *trigger_source,
		*deploy_hook_name, *trigger_name;
} dh_fields;

static void dh_read(const deployhook_result *r, dh_fields *f) {
	f->code = deployhook_error_code(r);
	f->api_code = deployhook_api_error_code(r);
	f->http_status = deployhook_http_status(r);
	f->status = deployhook_build_status(r);
	f->outcome = deployhook_build_outcome(r);
	f->already_exists = deployhook_already_exists(r);
	f->already_stopped = deployhook_already_stopped(r);
	f->message = deployhook_error_message(r);
	f->cf_ray = deployhook_cf_ray(r);
	f->build_uuid = deployhook_build_uuid(r);
	f->created_on = deployhook_created_on(r);
	f->initializing_on = deployhook_initializing_on(r);
	f->running_on = deployhook_running_on(r);
	f->stopped_on = deployhook_stopped_on(r);
	f->modified_on = deployhook_modified_on(r);
	f->preview_url = deployhook_preview_url(r);
	f->branch = deployhook_branch(r);
	f->commit_hash = deployhook_commit_hash(r);
	f->commit_message = deployhook_commit_message(r);
	f->author = deployhook_author(r);
	f->trigger_source = deployhook_trigger_source(r);
	f->deploy_hook_name = deployhook_deploy_hook_name(r);
	f->trigger_name = deployhook_trigger_name(r);
}

// The wait calls with goWaitCallback and a runtime/cgo.Handle as user_data (0: no callback). The handle
// is an integer, made a void * here so that Go never turns an integer into a pointer.
static deployhook_result *dh_wait(const char *build, const deployhook_options *o, int logs, uintptr_t handle) {
	return deployhook_wait(build, o, logs, handle ? goWaitCallback : NULL, (void *)handle);
}

static deployhook_result *dh_trigger_and_wait(const char *hook, const deployhook_options *o, int logs,
                                              uintptr_t handle) {
	return deployhook_trigger_and_wait(hook, o, logs, handle ? goWaitCallback : NULL, (void *)handle);
}
*/
import "C"

import (
	"context"
	"errors"
	"math"
	"runtime"
	"runtime/cgo"
	"strings"
	"sync"
	"time"
	"unsafe"
)

// Version is the library's version, e.g. "0.2.0".
func Version() string { return C.GoString(C.deployhook_version()) }

// Option is a setting for NewClient, made by one of the With... functions.
type Option struct {
	set func(*C.deployhook_options) C.int
}

// WithBaseURL sets the API base (http or https), which beats CLOUDFLARE_BASE_URL.
func WithBaseURL(url string) Option { return textOption(url, setBaseURL) }

// WithTimeout sets the deadline of a whole trigger, retries included (library default 60 s), in whole
// milliseconds.
func WithTimeout(d time.Duration) Option {
	return Option{func(o *C.deployhook_options) C.int { return C.deployhook_options_set_timeout_ms(o, cLong(d)) }}
}

// WithConnectTimeout sets the limit on each connection attempt (default 5 s), in whole milliseconds.
func WithConnectTimeout(d time.Duration) Option {
	return Option{func(o *C.deployhook_options) C.int {
		return C.deployhook_options_set_connect_timeout_ms(o, cLong(d))
	}}
}

// WithWaitTimeout sets how long waiting for a build may take in all (default 25 min), in whole milliseconds.
func WithWaitTimeout(d time.Duration) Option {
	return Option{func(o *C.deployhook_options) C.int { return C.deployhook_options_set_wait_timeout_ms(o, cLong(d)) }}
}

// WithMaxRetries sets how many times a failed attempt is retried (default 2).
func WithMaxRetries(n int) Option {
	return Option{func(o *C.deployhook_options) C.int { return C.deployhook_options_set_max_retries(o, cInt(n)) }}
}

// WithMaxConcurrency sets how many triggers TriggerMany runs at once (default 8).
func WithMaxConcurrency(n int) Option {
	return Option{func(o *C.deployhook_options) C.int { return C.deployhook_options_set_max_concurrency(o, cInt(n)) }}
}

// WithCAFile sets a PEM file of CA certificates to trust instead of the system's.
func WithCAFile(path string) Option { return textOption(path, setCAFile) }

// WithUserAgent sets the User-Agent header (default the library's "deployhook/VERSION (go; OS)").
func WithUserAgent(userAgent string) Option { return textOption(userAgent, setUserAgent) }

// WithAPIToken sets the API token used to follow and cancel builds (default CLOUDFLARE_API_TOKEN). It is
// handed to the library and kept by no Go value.
func WithAPIToken(token string) Option { return textOption(token, setAPIToken) }

// WithAccountID sets the account whose builds are followed (default CLOUDFLARE_ACCOUNT_ID).
func WithAccountID(accountID string) Option { return textOption(accountID, setAccountID) }

func setBaseURL(o *C.deployhook_options, s *C.char) C.int {
	return C.deployhook_options_set_base_url(o, s)
}
func setCAFile(o *C.deployhook_options, s *C.char) C.int {
	return C.deployhook_options_set_ca_file(o, s)
}
func setUserAgent(o *C.deployhook_options, s *C.char) C.int {
	return C.deployhook_options_set_user_agent(o, s)
}
func setBindingName(o *C.deployhook_options, s *C.char) C.int { // the "go" of the default User-Agent
	return C.deployhook_options_set_binding_name(o, s)
}
func setAPIToken(o *C.deployhook_options, s *C.char) C.int {
	return C.deployhook_options_set_api_token(o, s)
}
func setAccountID(o *C.deployhook_options, s *C.char) C.int {
	return C.deployhook_options_set_account_id(o, s)
}

func textOption(value string, setter func(*C.deployhook_options, *C.char) C.int) Option {
	return Option{func(o *C.deployhook_options) C.int {
		return setter(o, cText(value))
	}}
}

// Client triggers hooks and follows builds with fixed settings, reusing its connections. Safe for use by
// many goroutines at once.
type Client struct {
	mu      sync.Mutex
	options *C.deployhook_options // nil once freed
	calls   int                   // calls in flight with options
	closed  bool
}

// ErrClosed is returned by the methods of a Client after Close.
var ErrClosed = errors.New("deployhook: Client is closed")

// NewClient makes a client with the library's defaults and the given options, applied in order. An option
// the library rejects returns an *Error (CodeInvalidArgument) with the library's reason.
func NewClient(opts ...Option) (*Client, error) {
	options := C.deployhook_options_new()
	if options == nil {
		return nil, &Error{Code: CodeInternal}
	}
	settings := append([]Option{textOption("go", setBindingName)}, opts...)
	for _, option := range settings {
		if option.set == nil {
			continue
		}
		if err := setOption(options, option); err != nil {
			C.deployhook_options_free(options)
			return nil, err
		}
	}
	c := &Client{options: options}
	runtime.SetFinalizer(c, (*Client).Close)
	return c, nil
}

// setOption applies one option and reads the library's reason on the same thread when it refuses it.
func setOption(options *C.deployhook_options, option Option) error {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	if code := option.set(options); code != C.DEPLOYHOOK_OK {
		return &Error{Code: Code(code), Message: C.GoString(C.deployhook_last_error_message())}
	}
	return nil
}

// Close frees the client's C options once the calls in flight have returned (it does not stop them:
// cancel their contexts for that). Later calls return ErrClosed. Close is idempotent and returns nil.
func (c *Client) Close() error {
	c.mu.Lock()
	c.closed = true
	free := c.calls == 0 && c.options != nil
	options := c.options
	if free {
		c.options = nil
	}
	c.mu.Unlock()
	if free {
		C.deployhook_options_free(options)
	}
	return nil
}

func (c *Client) acquire() (*C.deployhook_options, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return nil, ErrClosed
	}
	c.calls++
	return c.options, nil
}

func (c *Client) release() {
	c.mu.Lock()
	c.calls--
	options := c.options
	free := c.closed && c.calls == 0 && options != nil
	if free {
		c.options = nil
	}
	c.mu.Unlock()
	if free {
		C.deployhook_options_free(options)
	}
}

// run calls call with the client's options, or, when ctx can end, with a linked copy of them
// (deployhook_options_dup_linked) that is shut down once ctx is done (deployhook_options_shut_down: the
// call ends CANCELLED whether or not the library had begun it). It returns whether ctx stopped the call
// (then ctx.Err() is the cause to wrap).
func (c *Client) run(ctx context.Context, alwaysOwn bool, call func(*C.deployhook_options)) (bool, error) {
	options, err := c.acquire()
	if err != nil {
		return false, err
	}
	defer c.release()
	done := ctx.Done()
	if done == nil && !alwaysOwn {
		call(options)
		return false, nil
	}
	own := C.deployhook_options_dup_linked(options)
	if own == nil {
		return false, &Error{Code: CodeInternal}
	}
	defer C.deployhook_options_free(own)
	select {
	case <-done: // already done: the call ends CANCELLED without sending anything
		C.deployhook_options_shut_down(own)
		call(own)
		return true, nil
	default:
	}
	finished, watching := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(watching)
		select {
		case <-finished:
		case <-done:
			C.deployhook_options_shut_down(own)
		}
	}()
	call(own)
	close(finished)
	<-watching // no shut_down of own after this
	return done != nil && ctx.Err() != nil, nil
}

// waitState is what a wait's callbacks reach through their cgo.Handle: the callbacks, the call's own
// options (to shut them down when one panics) and the panic to raise again.
type waitState struct {
	options  WaitOptions
	own      *C.deployhook_options
	panicked bool
	panicVal interface{}
}

// Trigger triggers the deploy hook (its UUID, or its full trigger URL under the API base) and returns the
// build it started, or found pending (AlreadyExists). On an error the Build holds what the library still
// reported.
func (c *Client) Trigger(ctx context.Context, hook string) (Build, error) {
	text := cText(hook)
	var result *C.deployhook_result
	stopped, err := c.run(ctx, false, func(o *C.deployhook_options) { result = C.deployhook_trigger_with(text, o) })
	if err != nil {
		return Build{}, err
	}
	return take(result, ctxCause(ctx, stopped))
}

// TriggerMany triggers the hooks concurrently (at most the client's max concurrency at once, over shared
// connections) and returns one TriggerResult per hook, in input order: a hook that fails fails alone. The
// error is non-nil only when the call as a whole failed (the client is closed, or the library refused the
// list); when ctx ends, the hooks still in flight end with ErrCancelled.
func (c *Client) TriggerMany(ctx context.Context, hooks []string) ([]TriggerResult, error) {
	texts := make([]*C.char, len(hooks))
	for i, hook := range hooks {
		texts[i] = cString(hook)
	}
	defer func() {
		for _, text := range texts {
			C.free(unsafe.Pointer(text))
		}
	}()
	results := make([]*C.deployhook_result, len(hooks))
	var code C.int
	var reason string
	stopped, err := c.run(ctx, false, func(o *C.deployhook_options) {
		var textsPointer **C.char
		var resultsPointer **C.deployhook_result
		if len(hooks) > 0 {
			textsPointer, resultsPointer = &texts[0], &results[0]
		}
		runtime.LockOSThread() // the reason of a refusal is kept per thread
		defer runtime.UnlockOSThread()
		code = C.deployhook_trigger_many(textsPointer, C.size_t(len(hooks)), o, resultsPointer)
		if code != C.DEPLOYHOOK_OK {
			reason = C.GoString(C.deployhook_last_error_message())
		}
	})
	if err != nil {
		return nil, err
	}
	if code != C.DEPLOYHOOK_OK {
		return nil, &Error{Code: Code(code), Message: reason}
	}
	cause := ctxCause(ctx, stopped)
	outcomes := make([]TriggerResult, len(hooks))
	for i, result := range results {
		outcomes[i].Build, outcomes[i].Err = take(result, cause)
	}
	return outcomes, nil
}

// WaitOptions are the callbacks of a wait. Both run on the waiting goroutine, during the call; a panic in
// one stops the wait and is raised again by the call once the library has returned. Neither may call
// runtime.Goexit (t.FailNow). Leaving OnLog nil means the build's log is not fetched.
type WaitOptions struct {
	OnStatus func(buildUUID string, status Status) // the first status seen, then each change
	OnLog    func(line string, at time.Time)       // each new line of the build's log, in order
}

// Wait polls the build until it stops (with the client's API token and account, or CLOUDFLARE_API_TOKEN
// and CLOUDFLARE_ACCOUNT_ID) and returns it with its outcome, times, preview URL and details.
func (c *Client) Wait(ctx context.Context, buildUUID string, opts WaitOptions) (Build, error) {
	return c.follow(ctx, buildUUID, opts, false)
}

// TriggerAndWait triggers the hook, then waits for the build it started (or found pending) as Wait does.
// The library checks the token and account before triggering. When the wait fails, the Build returned
// with the error still names the build.
func (c *Client) TriggerAndWait(ctx context.Context, hook string, opts WaitOptions) (Build, error) {
	return c.follow(ctx, hook, opts, true)
}

func (c *Client) follow(ctx context.Context, target string, opts WaitOptions, trigger bool) (Build, error) {
	text := cText(target)
	logs := C.int(0)
	if opts.OnLog != nil {
		logs = 1
	}
	state := &waitState{options: opts}
	var handle C.uintptr_t
	if opts.OnStatus != nil || opts.OnLog != nil {
		h := cgo.NewHandle(state)
		defer h.Delete()
		handle = C.uintptr_t(h)
	}
	var result *C.deployhook_result
	// A callback's panic shuts its own wait down: with callbacks the call always gets options of its own.
	stopped, err := c.run(ctx, handle != 0, func(o *C.deployhook_options) {
		state.own = o
		if trigger {
			result = C.dh_trigger_and_wait(text, o, logs, handle)
		} else {
			result = C.dh_wait(text, o, logs, handle)
		}
	})
	if err != nil {
		return Build{}, err
	}
	build, err := take(result, ctxCause(ctx, stopped))
	if state.panicked {
		panic(state.panicVal)
	}
	return build, err
}

// Cancel cancels the build (with the client's API token and account, or the environment's) and returns it
// stopped: Outcome OutcomeCancelled when this call cancelled it, else AlreadyStopped and how it ended.
func (c *Client) Cancel(ctx context.Context, buildUUID string) (Build, error) {
	text := cText(buildUUID)
	var result *C.deployhook_result
	stopped, err := c.run(ctx, false, func(o *C.deployhook_options) { result = C.deployhook_cancel_build(text, o) })
	if err != nil {
		return Build{}, err
	}
	return take(result, ctxCause(ctx, stopped))
}

var (
	defaultOnce   sync.Once
	defaultClient *Client
	defaultErr    error
)

// Trigger triggers the deploy hook with the default settings (CLOUDFLARE_BASE_URL honoured), through one
// client shared by the package's callers; see Client.Trigger.
func Trigger(ctx context.Context, hook string) (Build, error) {
	defaultOnce.Do(func() { defaultClient, defaultErr = NewClient() })
	if defaultErr != nil {
		return Build{}, defaultErr
	}
	return defaultClient.Trigger(ctx, hook)
}

// ctxCause is ctx's error when ctx stopped the call, else nil.
func ctxCause(ctx context.Context, stopped bool) error {
	if !stopped {
		return nil
	}
	return ctx.Err()
}

// take converts a result and frees it: the Build, and the *Error when it holds one (wrapping cause, the
// context's error, when it is a cancellation).
func take(result *C.deployhook_result, cause error) (Build, error) {
	if result == nil {
		return Build{}, &Error{Code: CodeInternal}
	}
	defer C.deployhook_free_result(result)
	var f C.dh_fields
	C.dh_read(result, &f)
	build := Build{
		BuildUUID:      C.GoString(f.build_uuid),
		Status:         Status(f.status),
		Outcome:        Outcome(f.outcome),
		AlreadyExists:  yesNo(f.already_exists),
		AlreadyStopped: yesNo(f.already_stopped),
		CreatedOn:      timestamp(f.created_on),
		InitializingOn: timestamp(f.initializing_on),
		RunningOn:      timestamp(f.running_on),
		StoppedOn:      timestamp(f.stopped_on),
		ModifiedOn:     timestamp(f.modified_on),
		PreviewURL:     C.GoString(f.preview_url),
		Branch:         C.GoString(f.branch),
		CommitHash:     C.GoString(f.commit_hash),
		CommitMessage:  C.GoString(f.commit_message),
		Author:         C.GoString(f.author),
		TriggerSource:  C.GoString(f.trigger_source),
		DeployHookName: C.GoString(f.deploy_hook_name),
		TriggerName:    C.GoString(f.trigger_name),
		CFRay:          C.GoString(f.cf_ray),
	}
	if f.code == C.DEPLOYHOOK_OK {
		return build, nil
	}
	err := &Error{Code: Code(f.code), APICode: int(f.api_code), HTTPStatus: int(f.http_status),
		CFRay: build.CFRay, Message: C.GoString(f.message)}
	if err.Code == CodeCancelled {
		err.cause = cause
	}
	return build, err
}

// yesNo converts the ABI's 1 / 0 / -1 (not said).
func yesNo(value C.int) *bool {
	if value < 0 {
		return nil
	}
	answer := value == 1
	return &answer
}

// timestamp parses the library's ISO 8601 text (as the API sent it); the zero time when absent or not
// a date-time.
func timestamp(text *C.char) time.Time {
	if text == nil {
		return time.Time{}
	}
	s := C.GoString(text)
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t
	}
	if t, err := time.Parse("2006-01-02T15:04:05.999999999", s); err == nil { // no offset: UTC
		return t
	}
	return time.Time{}
}

// logTime converts a log line's seconds since 1970 (0: not given).
func logTime(seconds float64) time.Time {
	if seconds == 0 || math.IsNaN(seconds) || math.IsInf(seconds, 0) {
		return time.Time{}
	}
	whole := math.Floor(seconds)
	return time.Unix(int64(whole), int64(math.Round((seconds-whole)*1e9)))
}

// cText is s as a NUL-terminated C string in Go memory, for the length of one call (the library copies
// what it keeps). A C string ends at its first NUL, so each NUL crosses as U+0001, a control character the
// library rejects wherever it rejects control characters: a hook "UUID\x00..." must not reach the library
// as a valid UUID.
func cText(s string) *C.char {
	text := make([]byte, len(s)+1)
	copy(text, s)
	if strings.IndexByte(s, 0) >= 0 {
		for i := range s {
			if text[i] == 0 {
				text[i] = 1
			}
		}
	}
	return (*C.char)(unsafe.Pointer(&text[0]))
}

// cString is s as a C string in C memory, for C.free; NULs cross as in cText.
func cString(s string) *C.char {
	if strings.IndexByte(s, 0) >= 0 {
		s = strings.ReplaceAll(s, "\x00", "\x01")
	}
	return C.CString(s)
}

// cLong is d in whole milliseconds, saturated to C's long where that is 32 bits (the library refuses what
// is out of its range).
func cLong(d time.Duration) C.long {
	ms := d.Milliseconds()
	if v := C.long(ms); int64(v) == ms {
		return v
	}
	if ms > 0 {
		return C.long(math.MaxInt32)
	}
	return C.long(math.MinInt32)
}

// cInt is n saturated to C's int (the library refuses what is out of its range).
func cInt(n int) C.int {
	if n > math.MaxInt32 {
		return math.MaxInt32
	}
	if n < math.MinInt32 {
		return math.MinInt32
	}
	return C.int(n)
}
