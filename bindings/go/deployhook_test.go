package deployhook_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"deployhook"
)

var cfRay = regexp.MustCompile(`^[0-9a-f]{16}-(SJC|EMU)$`)

func TestVersion(t *testing.T) {
	want, err := os.ReadFile("../../VERSION")
	if err != nil {
		t.Fatal(err)
	}
	if got := deployhook.Version(); got != strings.TrimSpace(string(want)) {
		t.Errorf("Version() = %q, VERSION says %q", got, want)
	}
}

func TestTrigger(t *testing.T) {
	t.Parallel()
	client := newClient(t)
	build, err := client.Trigger(context.Background(), scenarios["ok"])
	if err != nil {
		t.Fatalf("Trigger: %v", err)
	}
	if build.BuildUUID != "182bd5e5-6e1a-4fe4-a799-aa6d9a6ab26e" || build.Status != deployhook.StatusQueued ||
		build.AlreadyExists == nil || *build.AlreadyExists || !build.CreatedOn.Equal(utc("2019-12-27T18:11:19.117Z")) ||
		!cfRay.MatchString(build.CFRay) || build.Outcome != deployhook.OutcomeNone || build.AlreadyStopped != nil {
		t.Errorf("Trigger(ok) = %+v", build)
	}
	if build.Status.String() != "queued" || build.Outcome.String() != "none" {
		t.Errorf("names: %v %v", build.Status, build.Outcome)
	}
	// A context that can end (a duplicate of the options, watched) gives the same.
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if again, err := client.Trigger(ctx, " "+strings.ToUpper(scenarios["ok"])+"\n"); err != nil ||
		again.BuildUUID != build.BuildUUID {
		t.Errorf("Trigger with a context: %+v, %v", again, err)
	}
	// The full trigger URL.
	if again, err := client.Trigger(ctx, fakeBase+"/workers/builds/deploy_hooks/"+scenarios["ok"]); err != nil ||
		again.BuildUUID != build.BuildUUID {
		t.Errorf("Trigger(URL): %+v, %v", again, err)
	}
}

func TestTriggerShapes(t *testing.T) {
	t.Parallel()
	client := newClient(t)
	ctx := context.Background()
	build, err := client.Trigger(ctx, scenarios["guide_shape"])
	if err != nil || build.BuildUUID != "7c0e1b7a-4a51-4d35-9d4c-0f2b8e5b6a10" || build.Status != deployhook.StatusUnknown ||
		build.AlreadyExists != nil || !build.CreatedOn.IsZero() {
		t.Errorf("guide_shape: %+v, %v", build, err)
	}
	build, err = client.Trigger(ctx, scenarios["already_exists"])
	if err != nil || build.AlreadyExists == nil || !*build.AlreadyExists || build.Status != deployhook.StatusRunning {
		t.Errorf("already_exists: %+v, %v", build, err)
	}
	build, err = client.Trigger(ctx, scenarios["unknown_status"])
	if err != nil || build.Status != deployhook.StatusUnknown || build.Status.String() != "unknown" {
		t.Errorf("unknown_status: %+v, %v", build, err)
	}
	build, err = client.Trigger(ctx, scenarios["flaky"]) // two 503s, retried, then 200
	if err != nil || build.Status != deployhook.StatusQueued {
		t.Errorf("flaky: %+v, %v", build, err)
	}
}

func TestPackageTrigger(t *testing.T) {
	t.Parallel()
	// The default client: CLOUDFLARE_BASE_URL (the fake, set by TestMain).
	build, err := deployhook.Trigger(context.Background(), scenarios["ok"])
	if err != nil || build.BuildUUID != "182bd5e5-6e1a-4fe4-a799-aa6d9a6ab26e" {
		t.Errorf("deployhook.Trigger: %+v, %v", build, err)
	}
	_, err = deployhook.Trigger(context.Background(), scenarios["unknown"])
	if !errors.Is(err, deployhook.ErrNotFound) {
		t.Errorf("deployhook.Trigger(unknown): %v", err)
	}
}

func TestUserAgent(t *testing.T) {
	t.Parallel()
	hook, _ := delayed(70001, 0)
	if _, err := newClient(t).Trigger(context.Background(), hook); err != nil {
		t.Fatal(err)
	}
	// The library's default User-Agent, naming the binding (deployhook_options_set_binding_name).
	requests := requestsFor(t, hook)
	want := "deployhook/" + deployhook.Version() + " (go; "
	if len(requests) != 1 || !strings.HasPrefix(requests[0].Headers["user-agent"], want) ||
		!strings.HasSuffix(requests[0].Headers["user-agent"], ")") || requests[0].Method != "POST" {
		t.Errorf("requests: %+v, want one with User-Agent %q...)", requests, want)
	}
	if runtime.GOOS == "linux" && requests[0].Headers["user-agent"] != want+"linux)" {
		t.Errorf("User-Agent %q", requests[0].Headers["user-agent"])
	}
	hook, _ = delayed(70002, 0)
	if _, err := newClient(t, deployhook.WithUserAgent("my-tool/1.0")).Trigger(context.Background(), hook); err != nil {
		t.Fatal(err)
	}
	if requests := requestsFor(t, hook); len(requests) != 1 || requests[0].Headers["user-agent"] != "my-tool/1.0" {
		t.Errorf("requests: %+v", requests)
	}
}

// Every error kind, each with its sentinel, code name, and the numbers the library gave.
func TestErrorKinds(t *testing.T) {
	t.Parallel()
	fast := []deployhook.Option{deployhook.WithMaxRetries(0)}
	closed := fmt.Sprintf("http://127.0.0.1:%d/client/v4", closedPort(t))
	httpsFake := strings.Replace(fakeBase, "http://", "https://", 1)
	cases := []struct {
		name     string
		client   *deployhook.Client
		call     func(c *deployhook.Client) error
		sentinel error
		code     deployhook.Code
		codeName string
		api      int
		http     int
	}{
		{"invalid hook", newClient(t, fast...), trigger("not-a-hook"), deployhook.ErrInvalidArgument,
			deployhook.CodeInvalidArgument, "INVALID_ARGUMENT", 0, 0},
		{"NUL in hook", newClient(t, fast...), trigger(scenarios["ok"] + "\x00tail"), deployhook.ErrInvalidArgument,
			deployhook.CodeInvalidArgument, "INVALID_ARGUMENT", 0, 0},
		{"not found", newClient(t, fast...), trigger(scenarios["unknown"]), deployhook.ErrNotFound,
			deployhook.CodeNotFound, "NOT_FOUND", 12000, 404},
		{"rate limited", newClient(t, fast...), trigger(scenarios["rate_limited"]), deployhook.ErrRateLimited,
			deployhook.CodeRateLimited, "RATE_LIMITED", 12051, 429},
		{"api", newClient(t, fast...), trigger(scenarios["api_error"]), deployhook.ErrAPI,
			deployhook.CodeAPI, "API", 10000, 403},
		{"http", newClient(t, fast...), trigger(scenarios["html_502"]), deployhook.ErrHTTP,
			deployhook.CodeHTTP, "HTTP", 0, 502},
		{"network", newClient(t, append(fast, deployhook.WithBaseURL(closed))...), trigger(scenarios["ok"]),
			deployhook.ErrNetwork, deployhook.CodeNetwork, "NETWORK", 0, 0},
		{"timeout", newClient(t, append(fast, deployhook.WithTimeout(200*time.Millisecond))...), trigger(scenarios["slow"]),
			deployhook.ErrTimeout, deployhook.CodeTimeout, "TIMEOUT", 0, 0},
		{"tls", newClient(t, append(fast, deployhook.WithBaseURL(httpsFake))...), trigger(scenarios["ok"]),
			deployhook.ErrTLS, deployhook.CodeTLS, "TLS", 0, 0},
		{"response", newClient(t, fast...), trigger(scenarios["truncated"]), deployhook.ErrResponse,
			deployhook.CodeResponse, "RESPONSE", 0, 200},
		{"response (huge)", newClient(t, fast...), trigger(scenarios["huge"]), deployhook.ErrResponse,
			deployhook.CodeResponse, "RESPONSE", 0, 200},
		{"wait timeout", emulatorClient(t, deployhook.WithWaitTimeout(300*time.Millisecond)),
			func(c *deployhook.Client) error {
				_, err := c.TriggerAndWait(context.Background(), emuLong, deployhook.WaitOptions{})
				return err
			}, deployhook.ErrWaitTimeout, deployhook.CodeWaitTimeout, "WAIT_TIMEOUT", 0, 200},
		{"cancelled", newClient(t, fast...), func(c *deployhook.Client) error {
			ctx, _ := cancelAfter(100 * time.Millisecond)
			_, err := c.Trigger(ctx, scenarios["slow"])
			return err
		}, deployhook.ErrCancelled, deployhook.CodeCancelled, "CANCELLED", 0, 0},
		{"no credentials", mustClient(t, deployhook.WithBaseURL(fakeBase)), func(c *deployhook.Client) error {
			_, err := c.Wait(context.Background(), buildOf("build_full"), deployhook.WaitOptions{})
			return err
		}, deployhook.ErrNoCredentials, deployhook.CodeNoCredentials, "NO_CREDENTIALS", 0, 0},
		{"build not found", newClient(t, fast...), func(c *deployhook.Client) error {
			_, err := c.Wait(context.Background(), "bd0000ee-0000-4000-8000-0000000000ee", deployhook.WaitOptions{})
			return err
		}, deployhook.ErrNotFound, deployhook.CodeNotFound, "NOT_FOUND", 12000, 404},
		{"wrong token", emulatorClient(t, deployhook.WithAPIToken("not-the-token")), func(c *deployhook.Client) error {
			_, err := c.TriggerAndWait(context.Background(), emuSuccess, deployhook.WaitOptions{})
			return err
		}, deployhook.ErrAPI, deployhook.CodeAPI, "API", 10000, 403},
	}
	all := []error{deployhook.ErrInvalidArgument, deployhook.ErrNotFound, deployhook.ErrRateLimited, deployhook.ErrAPI,
		deployhook.ErrHTTP, deployhook.ErrNetwork, deployhook.ErrTimeout, deployhook.ErrTLS, deployhook.ErrResponse,
		deployhook.ErrInternal, deployhook.ErrWaitTimeout, deployhook.ErrCancelled, deployhook.ErrNoCredentials}
	for _, c := range cases {
		c := c
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			err := c.call(c.client)
			failure := asError(t, err)
			if failure.Code != c.code || failure.Code.String() != c.codeName || failure.APICode != c.api ||
				failure.HTTPStatus != c.http || failure.Message == "" || err.Error() == "" {
				t.Errorf("%s: %#v (%v)", c.name, failure, err)
			}
			for _, sentinel := range all {
				if errors.Is(err, sentinel) != (sentinel == c.sentinel) {
					t.Errorf("%s: errors.Is(%v, %v) = %v", c.name, err, sentinel, !(sentinel == c.sentinel))
				}
			}
			if c.http != 0 && !cfRay.MatchString(failure.CFRay) {
				t.Errorf("%s: cf-ray %q", c.name, failure.CFRay)
			}
		})
	}
}

func trigger(hook string) func(c *deployhook.Client) error {
	return func(c *deployhook.Client) error {
		_, err := c.Trigger(context.Background(), hook)
		return err
	}
}

func mustClient(t *testing.T, opts ...deployhook.Option) *deployhook.Client {
	client, err := deployhook.NewClient(opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { client.Close() })
	return client
}

// The library judges every option; its reason comes back.
func TestInvalidOptions(t *testing.T) {
	t.Parallel()
	const secret = "tok en-9f8e7d6c5b4a"
	for name, option := range map[string]deployhook.Option{
		"base url":        deployhook.WithBaseURL("ftp://example.com"),
		"NUL in base url": deployhook.WithBaseURL("http://127.0.0.1:1/client/v4\x00x"),
		"timeout":         deployhook.WithTimeout(0),
		"timeout (huge)":  deployhook.WithTimeout(1 << 62),
		"connect timeout": deployhook.WithConnectTimeout(-time.Second),
		"wait timeout":    deployhook.WithWaitTimeout(100 * 24 * time.Hour),
		"retries":         deployhook.WithMaxRetries(101),
		"retries (wraps)": deployhook.WithMaxRetries(1<<32 + 2),
		"concurrency":     deployhook.WithMaxConcurrency(0),
		"ca file":         deployhook.WithCAFile("/nonexistent/ca.pem"),
		"user agent":      deployhook.WithUserAgent("bad\nagent"),
		"api token":       deployhook.WithAPIToken(secret),
		"account id":      deployhook.WithAccountID("no/slashes"),
	} {
		client, err := deployhook.NewClient(option)
		if client != nil || !errors.Is(err, deployhook.ErrInvalidArgument) || asError(t, err).Message == "" {
			t.Errorf("%s: NewClient = %v, %v", name, client, err)
		}
		for _, text := range []string{err.Error(), fmt.Sprintf("%v %+v %#v", err, err, err), fmt.Sprintf("%#v", option)} {
			if strings.Contains(text, "9f8e7d6c5b4a") {
				t.Errorf("%s: the token shows in %q", name, text)
			}
		}
	}
	// Zero options are no options.
	if _, err := deployhook.NewClient(deployhook.Option{}); err != nil {
		t.Errorf("NewClient(Option{}): %v", err)
	}
}

func TestBuildDetails(t *testing.T) {
	t.Parallel()
	client := newClient(t)
	var lines []string
	build, err := client.Wait(context.Background(), buildOf("build_full"), deployhook.WaitOptions{
		OnLog: func(line string, at time.Time) { lines = append(lines, line) },
	})
	if err != nil {
		t.Fatalf("Wait: %v", err)
	}
	want := deployhook.Build{
		BuildUUID:      buildOf("build_full"),
		Status:         deployhook.StatusStopped,
		Outcome:        deployhook.OutcomeSuccess,
		CreatedOn:      utc("2019-12-27T18:11:19.117Z"),
		InitializingOn: utc("2019-12-27T18:11:20.117Z"),
		RunningOn:      utc("2019-12-27T18:11:21.117Z"),
		StoppedOn:      utc("2019-12-27T18:11:51.117Z"),
		ModifiedOn:     utc("2019-12-27T18:11:51.117Z"),
		PreviewURL:     "https://1a2b3c4d-my-worker.my-subdomain.workers.dev",
		Branch:         "main",
		CommitHash:     "1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b",
		CommitMessage:  "Fix the caf\u00e9 menu\n\nAnd its prices",
		Author:         "ada@example.com",
		TriggerSource:  "deploy_hook",
		DeployHookName: "Production deploy hook",
		TriggerName:    "Deploy default branch",
		CFRay:          build.CFRay,
	}
	if fmt.Sprintf("%#v", build) != fmt.Sprintf("%#v", want) || !cfRay.MatchString(build.CFRay) {
		t.Errorf("Wait(build_full) =\n%+v\nwant\n%+v", build, want)
	}
	wantLines := []string{"Cloning repository...", "Installing dependencies...", "Running build command...",
		"Build finished", "Deploying to Cloudflare's global network...", "Success: deployed"}
	if strings.Join(lines, "|") != strings.Join(wantLines, "|") {
		t.Errorf("log lines (three pages) = %q", lines)
	}
}

func TestLogTimes(t *testing.T) {
	t.Parallel()
	var times []time.Time
	var lines []string
	_, err := newClient(t).Wait(context.Background(), buildOf("logs_seconds"), deployhook.WaitOptions{
		OnLog: func(line string, at time.Time) { lines, times = append(lines, line), append(times, at) },
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []time.Time{time.Unix(1577470282, 0), time.Unix(1577470283, 5e8), time.Unix(1577470284, 25e7)}
	if len(times) != 3 || strings.Join(lines, "|") != "first line|second line|third line" {
		t.Fatalf("lines %q at %v", lines, times)
	}
	for i := range want {
		if !times[i].Equal(want[i]) {
			t.Errorf("line %d at %v, want %v", i, times[i], want[i])
		}
	}
}

// Waiting with logs against the emulator: statuses in order ending stopped, every line, the details.
func TestWaitWithLogs(t *testing.T) {
	t.Parallel()
	client := emulatorClient(t)
	var statuses []deployhook.Status
	var uuids []string
	var lines []string
	var last time.Time
	build, err := client.TriggerAndWait(context.Background(), emuSuccess, deployhook.WaitOptions{
		OnStatus: func(uuid string, status deployhook.Status) {
			uuids, statuses = append(uuids, uuid), append(statuses, status)
		},
		OnLog: func(line string, at time.Time) {
			if at.Before(last) || at.Year() < 2020 {
				t.Errorf("line %q at %v, after %v", line, at, last)
			}
			last = at
			lines = append(lines, line)
		},
	})
	if err != nil {
		t.Fatalf("TriggerAndWait: %v", err)
	}
	if len(statuses) < 2 || statuses[len(statuses)-1] != deployhook.StatusStopped {
		t.Errorf("statuses %v", statuses)
	}
	for i := 1; i < len(statuses); i++ {
		if statuses[i] <= statuses[i-1] {
			t.Errorf("statuses out of order: %v", statuses)
		}
	}
	for _, uuid := range uuids {
		if uuid != build.BuildUUID {
			t.Errorf("status event for %q, build %q", uuid, build.BuildUUID)
		}
	}
	wantLines := "Cloning repository...|Installing dependencies...|Running build command...|" +
		"Deploying to Cloudflare's global network...|Success: deployed"
	if strings.Join(lines, "|") != wantLines {
		t.Errorf("lines %q", lines)
	}
	if build.Status != deployhook.StatusStopped || build.Outcome != deployhook.OutcomeSuccess ||
		build.AlreadyExists == nil || *build.AlreadyExists || !strings.HasPrefix(build.PreviewURL, "https://") ||
		build.StoppedOn.IsZero() || build.CreatedOn.IsZero() || build.RunningOn.IsZero() ||
		build.InitializingOn.IsZero() || build.ModifiedOn.IsZero() || build.Branch != "main" ||
		len(build.CommitHash) != 40 || build.CommitMessage == "" || build.Author == "" ||
		build.TriggerSource != "deploy_hook" || build.DeployHookName == "" || build.TriggerName == "" ||
		!cfRay.MatchString(build.CFRay) || build.StoppedOn.Before(build.CreatedOn) {
		t.Errorf("TriggerAndWait = %+v", build)
	}

	// In two steps, a build that fails; no callbacks: no logs fetched.
	triggered, err := client.Trigger(context.Background(), emuFail)
	if err != nil {
		t.Fatal(err)
	}
	final, err := client.Wait(context.Background(), triggered.BuildUUID, deployhook.WaitOptions{})
	if err != nil || final.Outcome != deployhook.OutcomeFail || final.Outcome.String() != "fail" ||
		final.BuildUUID != triggered.BuildUUID || final.PreviewURL != "" {
		t.Errorf("Wait(fail) = %+v, %v", final, err)
	}
}

// TriggerMany: results in input order although the answers come in reverse, a bad hook failing alone,
// at most max concurrency requests at the server at once, over that many connections, reused.
func TestTriggerManyOrderAndConcurrency(t *testing.T) { // not parallel: it reads the fake's statistics
	fakeReset(t)
	client := newClient(t, deployhook.WithMaxConcurrency(4))
	var hooks, builds []string
	for i := 0; i < 16; i++ {
		hook, build := delayed(100+i, (16-i)*15)
		hooks, builds = append(hooks, hook), append(builds, build)
	}
	hooks = append(hooks[:5], append([]string{"not-a-hook", scenarios["unknown"]}, hooks[5:]...)...)
	builds = append(builds[:5], append([]string{"", ""}, builds[5:]...)...)
	results, err := client.TriggerMany(context.Background(), hooks)
	if err != nil || len(results) != len(hooks) {
		t.Fatalf("TriggerMany: %d results, %v", len(results), err)
	}
	for i, result := range results {
		switch i {
		case 5:
			if !errors.Is(result.Err, deployhook.ErrInvalidArgument) {
				t.Errorf("result %d: %+v", i, result)
			}
		case 6:
			if !errors.Is(result.Err, deployhook.ErrNotFound) || asError(t, result.Err).HTTPStatus != 404 {
				t.Errorf("result %d: %+v", i, result)
			}
		default:
			if result.Err != nil || result.Build.BuildUUID != builds[i] || result.Build.Status != deployhook.StatusQueued {
				t.Errorf("result %d: %+v, want build %s", i, result, builds[i])
			}
		}
	}
	var stats fakeStats
	fakeGet(t, "/_fake/stats", &stats)
	if stats.MaxInFlight != 4 || stats.Connections > 4 || stats.Connections < 1 {
		t.Errorf("server saw %+v, want at most 4 in flight (and reached), over at most 4 connections", stats)
	}
	// Again: the connections are reused.
	if results, err := client.TriggerMany(context.Background(), hooks[:4]); err != nil || results[3].Err != nil {
		t.Fatalf("TriggerMany again: %v %+v", err, results)
	}
	fakeGet(t, "/_fake/stats", &stats)
	if stats.Connections > 4 {
		t.Errorf("second TriggerMany opened new connections: %+v", stats)
	}
	if results, err := client.TriggerMany(context.Background(), nil); err != nil || len(results) != 0 {
		t.Errorf("TriggerMany(nil) = %v, %v", results, err)
	}
}

// A context cancelled mid-call ends the call within 100 ms, and the error is both ErrCancelled and
// context.Canceled.
func TestCancelWithin100ms(t *testing.T) {
	t.Parallel()
	client := newClient(t)
	check := func(name string, err error, when <-chan time.Time) {
		t.Helper()
		returned := time.Now()
		cancelled := <-when
		late := returned.Sub(cancelled)
		t.Logf("%s: returned %v after the cancel", name, late.Round(time.Microsecond))
		if late > 100*time.Millisecond {
			t.Errorf("%s: returned %v after the cancel", name, late)
		}
		if !errors.Is(err, context.Canceled) || !errors.Is(err, deployhook.ErrCancelled) ||
			asError(t, err).Code != deployhook.CodeCancelled || !strings.HasSuffix(err.Error(), ": context canceled") {
			t.Errorf("%s: %#v (%v)", name, err, err)
		}
	}
	t.Run("trigger", func(t *testing.T) {
		t.Parallel()
		ctx, when := cancelAfter(200 * time.Millisecond)
		_, err := client.Trigger(ctx, scenarios["slow"])
		check("trigger", err, when)
	})
	t.Run("wait between polls", func(t *testing.T) {
		t.Parallel()
		ctx, when := cancelAfter(300 * time.Millisecond)
		_, err := client.Wait(ctx, buildOf("cancel_running"), deployhook.WaitOptions{})
		check("wait", err, when)
	})
	t.Run("wait with callbacks", func(t *testing.T) {
		t.Parallel()
		ctx, when := cancelAfter(300 * time.Millisecond)
		var statuses int
		_, err := emulatorClient(t).TriggerAndWait(ctx, emuLong, deployhook.WaitOptions{
			OnStatus: func(string, deployhook.Status) { statuses++ },
			OnLog:    func(string, time.Time) {},
		})
		check("trigger and wait", err, when)
		if statuses == 0 {
			t.Errorf("no status event before the cancel")
		}
	})
	t.Run("trigger many", func(t *testing.T) {
		t.Parallel()
		ctx, when := cancelAfter(300 * time.Millisecond)
		quick, quickBuild := delayed(200, 0)
		results, err := client.TriggerMany(ctx, []string{scenarios["slow"], quick, scenarios["slow"]})
		if err != nil {
			t.Fatal(err)
		}
		check("trigger many [0]", results[0].Err, when)
		if results[1].Err != nil || results[1].Build.BuildUUID != quickBuild {
			t.Errorf("the hook that had ended: %+v", results[1])
		}
		if !errors.Is(results[2].Err, context.Canceled) || !errors.Is(results[2].Err, deployhook.ErrCancelled) {
			t.Errorf("[2]: %v", results[2].Err)
		}
	})
	t.Run("wait reading slow log pages", func(t *testing.T) {
		t.Parallel()
		ctx, when := cancelAfter(300 * time.Millisecond)
		_, err := client.Wait(ctx, buildOf("slow_logs"), deployhook.WaitOptions{OnLog: func(string, time.Time) {}})
		check("slow logs", err, when)
	})
}

// A context already done sends nothing: the call reaches the library on options already shut down
// (deployhook_options_shut_down), which ends it CANCELLED before it sends anything.
func TestContextDoneBefore(t *testing.T) {
	t.Parallel()
	client := newClient(t)
	hook, _ := delayed(300, 0)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := client.Trigger(ctx, hook)
	if !errors.Is(err, context.Canceled) || !errors.Is(err, deployhook.ErrCancelled) {
		t.Errorf("Trigger: %v", err)
	}
	results, err := client.TriggerMany(ctx, []string{hook, hook})
	if err != nil || len(results) != 2 || !errors.Is(results[0].Err, context.Canceled) ||
		!errors.Is(results[1].Err, context.Canceled) || !errors.Is(results[1].Err, deployhook.ErrCancelled) {
		t.Errorf("TriggerMany: %v %v", results, err)
	}
	if _, err := client.TriggerAndWait(ctx, hook, deployhook.WaitOptions{OnStatus: func(string, deployhook.Status) {
		t.Errorf("a status event")
	}}); !errors.Is(err, context.Canceled) || !errors.Is(err, deployhook.ErrCancelled) {
		t.Errorf("TriggerAndWait: %v", err)
	}
	_, waited := delayed(301, 0)
	if _, err := client.Wait(ctx, waited, deployhook.WaitOptions{}); !errors.Is(err, context.Canceled) {
		t.Errorf("Wait: %v", err)
	}
	_, cancelled := delayed(302, 0)
	if _, err := client.Cancel(ctx, cancelled); !errors.Is(err, context.Canceled) {
		t.Errorf("Cancel: %v", err)
	}
	for _, path := range []string{hook, waited, cancelled} {
		if requests := requestsFor(t, path); len(requests) != 0 {
			t.Errorf("requests sent: %+v", requests)
		}
	}
}

// A context that ends as the call begins (before or after the library has begun it: the binding cannot
// know which) ends the call within 100 ms, every time: the call's own options are shut down, which stops
// a call not yet begun as well as one in flight.
func TestContextEndsAsTheCallBegins(t *testing.T) {
	t.Parallel()
	client := newClient(t)
	for i := 0; i < 40; i++ {
		ctx, cancel := context.WithCancel(context.Background())
		var cancelled time.Time
		yield := i%2 == 0
		go func() {
			if yield {
				runtime.Gosched()
			}
			cancelled = time.Now()
			cancel()
		}()
		_, err := client.Trigger(ctx, scenarios["slow"]) // answers after 5 s
		<-ctx.Done()
		if late := time.Since(cancelled); late > 100*time.Millisecond {
			t.Errorf("round %d: returned %v after the cancel", i, late)
		}
		if !errors.Is(err, context.Canceled) || !errors.Is(err, deployhook.ErrCancelled) {
			t.Errorf("round %d: %v", i, err)
		}
	}
}

func TestContextDeadline(t *testing.T) {
	t.Parallel()
	client := newClient(t)
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := client.Trigger(ctx, scenarios["slow"])
	elapsed := time.Since(start)
	if !errors.Is(err, context.DeadlineExceeded) || !errors.Is(err, deployhook.ErrCancelled) ||
		errors.Is(err, context.Canceled) || errors.Is(err, deployhook.ErrTimeout) {
		t.Errorf("Trigger: %v", err)
	}
	t.Logf("deadline 300ms: returned after %v", elapsed.Round(time.Microsecond))
	// The interrupt itself takes microseconds (TestContextCancel); the slack is for the scheduler of a
	// loaded machine under -race, where the deadline's timer and the watching goroutine may run late.
	if elapsed < 300*time.Millisecond || elapsed > 550*time.Millisecond {
		t.Errorf("returned after %v, deadline 300ms", elapsed)
	}
	// A wait.
	ctx, cancel = context.WithTimeout(context.Background(), 500*time.Millisecond)
	defer cancel()
	start = time.Now()
	_, err = emulatorClient(t).TriggerAndWait(ctx, emuLong, deployhook.WaitOptions{})
	if elapsed := time.Since(start); !errors.Is(err, context.DeadlineExceeded) ||
		!errors.Is(err, deployhook.ErrCancelled) || elapsed > 750*time.Millisecond {
		t.Errorf("TriggerAndWait: %v after %v", err, elapsed)
	}
}

func TestCancel(t *testing.T) { // not parallel: it resets the fake's cancelled builds
	fakeReset(t)
	client := newClient(t)
	ctx := context.Background()
	build, err := client.Cancel(ctx, buildOf("cancel_running"))
	if err != nil || build.Outcome != deployhook.OutcomeCancelled || build.AlreadyStopped == nil ||
		*build.AlreadyStopped || build.StoppedOn.IsZero() || build.BuildUUID != buildOf("cancel_running") {
		t.Errorf("Cancel(running) = %+v, %v", build, err)
	}
	build, err = client.Cancel(ctx, buildOf("cancel_stopped"))
	if err != nil || build.Outcome != deployhook.OutcomeSuccess || build.AlreadyStopped == nil ||
		!*build.AlreadyStopped || !build.StoppedOn.Equal(utc("2019-12-27T18:11:51.117Z")) {
		t.Errorf("Cancel(stopped) = %+v, %v", build, err)
	}
	_, err = client.Cancel(ctx, buildOf("cancel_stopped_error"))
	if failure := asError(t, err); !errors.Is(err, deployhook.ErrAPI) || failure.APICode != 12002 || failure.HTTPStatus != 400 {
		t.Errorf("Cancel(stopped, error) = %#v", err)
	}
	if _, err = client.Cancel(ctx, "bd0000ee-0000-4000-8000-0000000000ee"); !errors.Is(err, deployhook.ErrNotFound) {
		t.Errorf("Cancel(unknown) = %v", err)
	}
	if _, err = client.Cancel(ctx, "not a uuid"); !errors.Is(err, deployhook.ErrInvalidArgument) {
		t.Errorf("Cancel(not a uuid) = %v", err)
	}
	if _, err = mustClient(t, deployhook.WithBaseURL(fakeBase)).Cancel(ctx, buildOf("cancel_running")); !errors.Is(err, deployhook.ErrNoCredentials) {
		t.Errorf("Cancel without credentials = %v", err)
	}
	fakeReset(t)
}

// On the emulator: a build cancelled from a wait's own status callback, which may call the library.
func TestCancelFromCallback(t *testing.T) {
	t.Parallel()
	client := emulatorClient(t)
	var cancelled deployhook.Build
	var cancelErr error
	build, err := client.TriggerAndWait(context.Background(), emuLong, deployhook.WaitOptions{
		OnStatus: func(uuid string, status deployhook.Status) {
			if status != deployhook.StatusStopped && cancelled.BuildUUID == "" {
				cancelled, cancelErr = client.Cancel(context.Background(), uuid)
			}
		},
	})
	if cancelErr != nil || cancelled.Outcome != deployhook.OutcomeCancelled || cancelled.AlreadyStopped == nil ||
		*cancelled.AlreadyStopped {
		t.Errorf("Cancel from the callback: %+v, %v", cancelled, cancelErr)
	}
	if err != nil || build.Outcome != deployhook.OutcomeCancelled || build.BuildUUID != cancelled.BuildUUID {
		t.Errorf("TriggerAndWait = %+v, %v", build, err)
	}
}

// A panic in a callback stops the wait at once and comes out of the call.
func TestCallbackPanic(t *testing.T) {
	t.Parallel()
	client := emulatorClient(t)
	start := time.Now()
	var recovered interface{}
	func() {
		defer func() { recovered = recover() }()
		client.TriggerAndWait(context.Background(), emuLong, deployhook.WaitOptions{
			OnStatus: func(string, deployhook.Status) { panic("from the callback") },
		})
	}()
	if recovered != "from the callback" || time.Since(start) > time.Second {
		t.Errorf("recovered %v after %v", recovered, time.Since(start))
	}
	// The client is still usable.
	if _, err := client.Trigger(context.Background(), emuSuccess); err != nil && !errors.Is(err, deployhook.ErrRateLimited) {
		t.Errorf("Trigger after the panic: %v", err)
	}
}

// A panic in one wait's callback ends that wait only: another goroutine's wait on the same client goes on.
func TestCallbackPanicSparesOtherCalls(t *testing.T) {
	t.Parallel()
	client := newClient(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	other := make(chan error, 1)
	polled := make(chan struct{}, 1)
	go func() { // a build that never stops by itself
		_, err := client.Wait(ctx, buildOf("cancel_running"), deployhook.WaitOptions{
			OnStatus: func(string, deployhook.Status) { polled <- struct{}{} },
		})
		other <- err
	}()
	<-polled
	var recovered interface{}
	func() {
		defer func() { recovered = recover() }()
		client.Wait(context.Background(), buildOf("slow_logs"), deployhook.WaitOptions{
			OnStatus: func(string, deployhook.Status) { panic("from one wait") },
		})
	}()
	if recovered != "from one wait" {
		t.Errorf("recovered %v", recovered)
	}
	select {
	case err := <-other:
		t.Fatalf("the other wait ended with the panic: %v", err)
	case <-time.After(300 * time.Millisecond):
	}
	cancel()
	if err := <-other; !errors.Is(err, context.Canceled) || !errors.Is(err, deployhook.ErrCancelled) {
		t.Errorf("the other wait: %v", err)
	}
}

func TestClose(t *testing.T) {
	t.Parallel()
	client := newClient(t)
	hook, _ := delayed(400, 300)
	done := make(chan error)
	go func() {
		_, err := client.Trigger(context.Background(), hook)
		done <- err
	}()
	time.Sleep(100 * time.Millisecond)
	if err := client.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
	if err := <-done; err != nil { // the call in flight ends normally; the options are freed after it
		t.Errorf("the call in flight: %v", err)
	}
	if err := client.Close(); err != nil {
		t.Errorf("Close again: %v", err)
	}
	if _, err := client.Trigger(context.Background(), scenarios["ok"]); !errors.Is(err, deployhook.ErrClosed) {
		t.Errorf("Trigger after Close: %v", err)
	}
	if _, err := client.TriggerMany(context.Background(), []string{scenarios["ok"]}); !errors.Is(err, deployhook.ErrClosed) {
		t.Errorf("TriggerMany after Close: %v", err)
	}
	if _, err := client.Wait(context.Background(), buildOf("build_full"), deployhook.WaitOptions{}); !errors.Is(err, deployhook.ErrClosed) {
		t.Errorf("Wait after Close: %v", err)
	}
}

// Many goroutines on one client, with and without contexts that can end (run with -race).
func TestConcurrentUse(t *testing.T) {
	t.Parallel()
	client := newClient(t)
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := 0; i < 40; i++ {
				ctx := context.Background()
				var cancel context.CancelFunc = func() {}
				if i%2 == 1 {
					ctx, cancel = context.WithTimeout(ctx, time.Minute)
				}
				build, err := client.Trigger(ctx, scenarios["ok"])
				cancel()
				if err != nil || build.Status != deployhook.StatusQueued {
					t.Errorf("goroutine %d trigger %d: %v", g, i, err)
					return
				}
			}
		}(g)
	}
	wg.Wait()
}

func TestUnknownNumbers(t *testing.T) {
	t.Parallel()
	names := []string{"OK", "INVALID_ARGUMENT", "NOT_FOUND", "RATE_LIMITED", "API", "HTTP", "NETWORK", "TIMEOUT",
		"TLS", "RESPONSE", "INTERNAL", "WAIT_TIMEOUT", "CANCELLED", "NO_CREDENTIALS"}
	for i, name := range names {
		if got := deployhook.Code(i).String(); got != name {
			t.Errorf("Code(%d) = %q, want %q", i, got, name)
		}
	}
	if deployhook.Code(99).String() != "UNKNOWN" || deployhook.Code(-1).String() != "UNKNOWN" {
		t.Errorf("unknown codes: %v %v", deployhook.Code(99), deployhook.Code(-1))
	}
	unknown := &deployhook.Error{Code: 99}
	if unknown.Error() != "DEPLOYHOOK_ERR_UNKNOWN" || errors.Is(unknown, deployhook.ErrInternal) {
		t.Errorf("an unknown code: %v", unknown)
	}
	if deployhook.Status(42).String() != "unknown" || deployhook.Outcome(42).String() != "unknown" ||
		deployhook.StatusStopped.String() != "stopped" || deployhook.OutcomeTerminated.String() != "terminated" {
		t.Errorf("names: %v %v", deployhook.Status(42), deployhook.Outcome(42))
	}
	// errors.Is matches a sentinel, not another error of the same code.
	a, b := &deployhook.Error{Code: deployhook.CodeAPI, Message: "a"}, &deployhook.Error{Code: deployhook.CodeAPI}
	if errors.Is(a, b) || !errors.Is(fmt.Errorf("wrapped: %w", a), deployhook.ErrAPI) {
		t.Errorf("errors.Is")
	}
}
