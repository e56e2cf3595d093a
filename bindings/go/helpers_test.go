package deployhook_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"deployhook"
)

// The servers test.sh starts, and what they know.
var (
	fakeBase     string // the test fake (Tests/fake_api/fake_cloudflare.py), .../client/v4
	emulatorBase string // the emulator (python3 -m deployhook.emulator), .../client/v4
	emulatorKey  string // the emulator's API token
)

const (
	fakeToken   = "fake-api-token-for-builds"
	fakeAccount = "023e105f4ecef8ad9ca31a8372d0c353"
	emuAccount  = "0123456789abcdef0123456789abcdef"

	// The emulator's hooks (test.sh's config): builds that succeed or fail quickly, and one that runs for
	// minutes.
	emuSuccess = "5ec0e700-0000-4000-8000-000000000001"
	emuFail    = "5ec0e700-0000-4000-8000-000000000002"
	emuLong    = "5ec0e700-0000-4000-8000-000000000003"
)

// The fake's scenarios (Tests/fake_api/SCENARIOS.md).
var scenarios = map[string]string{
	"ok":             "11111111-1111-4111-8111-111111111111",
	"guide_shape":    "22222222-2222-4222-8222-222222222222",
	"already_exists": "33333333-3333-4333-8333-333333333333",
	"unknown_status": "44444444-4444-4444-8444-444444444444",
	"rate_limited":   "55555555-5555-4555-8555-555555555555",
	"flaky":          "66666666-6666-4666-8666-666666666666",
	"html_502":       "77777777-7777-4777-8777-777777777777",
	"api_error":      "88888888-8888-4888-8888-888888888888",
	"truncated":      "99999999-9999-4999-8999-999999999999",
	"huge":           "aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa",
	"drop":           "bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb",
	"slow":           "cccccccc-cccc-4ccc-8ccc-cccccccccccc",
	"redirect":       "dddddddd-dddd-4ddd-8ddd-dddddddddddd",
	"success_false":  "eeeeeeee-eeee-4eee-8eee-eeeeeeeeeeee",
	"no_retry_500":   "ffffffff-ffff-4fff-8fff-ffffffffffff",
	"unknown":        "12345678-1234-4234-8234-123456789abc",
	// Following a build.
	"build_full":           "b0000003-0000-4000-8000-000000000003",
	"logs_seconds":         "b0000006-0000-4000-8000-000000000006",
	"cancel_running":       "b0000008-0000-4000-8000-000000000008",
	"cancel_stopped":       "b0000009-0000-4000-8000-000000000009",
	"cancel_stopped_error": "b000000a-0000-4000-8000-00000000000a",
	"slow_logs":            "b000000c-0000-4000-8000-00000000000c",
	"echo_hook":            "b000000f-0000-4000-8000-00000000000f",
}

// buildOf is the build UUID of a BUILD_SCENARIOS hook: its first two characters b0 made bd.
func buildOf(scenario string) string { return "bd" + scenarios[scenario][2:] }

// delayed is the fake's hook that answers after ms milliseconds, and the build UUID it answers.
func delayed(serial, ms int) (hook, build string) {
	tail := fmt.Sprintf("%08d%04d", serial, ms)
	return "de1a0000-0000-4000-8000-" + tail, "b11d0000-0000-4000-8000-" + tail
}

func TestMain(m *testing.M) {
	fakeBase = os.Getenv("DEPLOYHOOK_TEST_FAKE_URL")
	emulatorBase = os.Getenv("DEPLOYHOOK_TEST_EMULATOR_URL")
	emulatorKey = os.Getenv("DEPLOYHOOK_TEST_EMULATOR_TOKEN")
	if fakeBase == "" || emulatorBase == "" || emulatorKey == "" {
		fmt.Fprintln(os.Stderr, "run these tests with bindings/go/test.sh, which starts the fake API and the emulator "+
			"(DEPLOYHOOK_TEST_FAKE_URL, DEPLOYHOOK_TEST_EMULATOR_URL, DEPLOYHOOK_TEST_EMULATOR_TOKEN)")
		os.Exit(2)
	}
	// Defaults must reach the fake, never Cloudflare; waits take their credentials from options only.
	os.Setenv("CLOUDFLARE_BASE_URL", fakeBase)
	os.Unsetenv("CLOUDFLARE_API_TOKEN")
	os.Unsetenv("CLOUDFLARE_ACCOUNT_ID")
	os.Exit(m.Run())
}

// newClient is a client of the fake (its token and account set), with opts after those.
func newClient(t testing.TB, opts ...deployhook.Option) *deployhook.Client {
	t.Helper()
	all := append([]deployhook.Option{deployhook.WithBaseURL(fakeBase), deployhook.WithAPIToken(fakeToken),
		deployhook.WithAccountID(fakeAccount)}, opts...)
	client, err := deployhook.NewClient(all...)
	if err != nil {
		t.Fatalf("NewClient: %v", err)
	}
	t.Cleanup(func() { client.Close() })
	return client
}

// emulatorClient is a client of the emulator with its token and account.
func emulatorClient(t testing.TB, opts ...deployhook.Option) *deployhook.Client {
	t.Helper()
	all := append([]deployhook.Option{deployhook.WithBaseURL(emulatorBase), deployhook.WithAPIToken(emulatorKey),
		deployhook.WithAccountID(emuAccount)}, opts...)
	client, err := deployhook.NewClient(all...)
	if err != nil {
		t.Fatalf("NewClient: %v", err)
	}
	t.Cleanup(func() { client.Close() })
	return client
}

// fakeRoot is the fake's origin, for its /_fake control endpoints.
func fakeRoot() string { return strings.TrimSuffix(fakeBase, "/client/v4") }

type fakeStats struct {
	Connections int `json:"connections"`
	InFlight    int `json:"in_flight"`
	MaxInFlight int `json:"max_in_flight"`
}

type fakeRequest struct {
	Method  string            `json:"method"`
	Path    string            `json:"path"`
	Headers map[string]string `json:"headers"`
}

func fakeGet(t *testing.T, path string, into interface{}) {
	t.Helper()
	response, err := http.Get(fakeRoot() + path)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	defer response.Body.Close()
	if err := json.NewDecoder(response.Body).Decode(into); err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
}

func fakeReset(t *testing.T) {
	t.Helper()
	response, err := http.Post(fakeRoot()+"/_fake/reset", "application/json", nil)
	if err != nil {
		t.Fatalf("reset: %v", err)
	}
	response.Body.Close()
}

// requestsFor lists the fake's recorded requests whose path contains needle.
func requestsFor(t *testing.T, needle string) []fakeRequest {
	var all []fakeRequest
	fakeGet(t, "/_fake/requests", &all)
	var found []fakeRequest
	for _, request := range all {
		if strings.Contains(request.Path, needle) {
			found = append(found, request)
		}
	}
	return found
}

// closedPort is a loopback port nothing listens on.
func closedPort(t *testing.T) int {
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := listener.Addr().(*net.TCPAddr).Port
	listener.Close()
	return port
}

// asError is err as an *deployhook.Error, failing the test when it is not one.
func asError(t *testing.T, err error) *deployhook.Error {
	t.Helper()
	var failure *deployhook.Error
	if !errors.As(err, &failure) {
		t.Fatalf("error %v (%T) is not a *deployhook.Error", err, err)
	}
	return failure
}

// cancelAfter cancels ctx after d and reports when it did.
func cancelAfter(d time.Duration) (context.Context, <-chan time.Time) {
	ctx, cancel := context.WithCancel(context.Background())
	when := make(chan time.Time, 1)
	go func() {
		time.Sleep(d)
		when <- time.Now()
		cancel()
	}()
	return ctx, when
}

func utc(text string) time.Time {
	t, err := time.Parse(time.RFC3339Nano, text)
	if err != nil {
		panic(err)
	}
	return t
}
