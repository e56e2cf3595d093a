// Command trigger triggers a Cloudflare Workers Builds deploy hook, and optionally follows the build until
// it stops: the Go twin of examples/python/trigger.py.
//
// Usage: trigger [--wait] [--logs] [HOOK]
//
// HOOK is the deploy hook's UUID or its full trigger URL. Without the argument it is read from
// CLOUDFLARE_DEPLOY_HOOK, which is better: an argument shows in `ps` to every user of the machine.
// CLOUDFLARE_BASE_URL, when set, replaces https://api.cloudflare.com/client/v4.
//
//	--wait   wait for the build to stop, printing each status it goes through. Needs an API token with
//	         Workers Builds permissions in CLOUDFLARE_API_TOKEN and the account in CLOUDFLARE_ACCOUNT_ID.
//	--logs   also print the build's log lines as they come (implies --wait).
//
// Exit status: 0 when a build was started or one was already pending (with --wait: when it succeeded);
// 20 with --wait when the build stopped without succeeding (fail, skipped, cancelled, terminated);
// otherwise the deployhook.Code of the failure: 1 bad hook or usage, 2 no such hook (or build), 3 rate
// limited, 4 Cloudflare error (e.g. a wrong token), 5 HTTP error, 6 network, 7 timeout, 8 TLS, 9 malformed
// response, 10 internal error, 11 the build did not stop within 25 minutes, 12 interrupted (Ctrl-C,
// SIGTERM), 13 no API token or account ID for --wait (nothing was sent).
//
// Build and run it from the repository (after `swift build -c release`):
//
//	export PKG_CONFIG_PATH=$PWD/packaging/build-tree
//	(cd examples/go && go build -o ../../build/go-trigger ./trigger)
//	CLOUDFLARE_DEPLOY_HOOK=<uuid> build/go-trigger
//
// or against the emulator (`PYTHONPATH=bindings/python python3 -m deployhook.emulator`, whose demo hook is
// 00000000-0000-4000-8000-000000000000 and whose token is emulator-token) with --wait --logs.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"deployhook"
)

// buildDidNotSucceed is the exit status when the build stopped with another outcome than success (beyond
// every deployhook.Code).
const buildDidNotSucceed = 20

const usage = `Usage: trigger [--wait] [--logs] [HOOK]

HOOK is the deploy hook's UUID or its full trigger URL. Without the argument it is read from
CLOUDFLARE_DEPLOY_HOOK, which is better: an argument shows in ` + "`ps`" + ` to every user of the machine.
CLOUDFLARE_BASE_URL, when set, replaces https://api.cloudflare.com/client/v4.

  --wait   wait for the build to stop, printing each status it goes through. Needs an API token with
           Workers Builds permissions in CLOUDFLARE_API_TOKEN and the account in CLOUDFLARE_ACCOUNT_ID.
  --logs   also print the build's log lines as they come (implies --wait).

Exit status: 0 when a build was started or one was already pending (with --wait: when it succeeded);
20 with --wait when the build stopped without succeeding (fail, skipped, cancelled, terminated);
otherwise the deployhook.Code of the failure: 1 bad hook or usage, 2 no such hook (or build), 3 rate
limited, 4 Cloudflare error (e.g. a wrong token), 5 HTTP error, 6 network, 7 timeout, 8 TLS, 9 malformed
response, 10 internal error, 11 the build did not stop within 25 minutes, 12 interrupted (Ctrl-C,
SIGTERM), 13 no API token or account ID for --wait (nothing was sent).`

func main() { os.Exit(run(os.Args[1:])) }

// run triggers the hook, follows the build if asked, and reports; it returns the exit status.
func run(args []string) int {
	wait, logs := false, false
	var arguments []string
	for _, arg := range args {
		switch arg {
		case "-h", "--help":
			fmt.Println(usage)
			return 0
		case "--wait":
			wait = true
		case "--logs":
			logs, wait = true, true
		default:
			arguments = append(arguments, arg)
		}
	}
	if len(arguments) > 1 || (len(arguments) == 1 && strings.HasPrefix(arguments[0], "--")) {
		fmt.Fprintln(os.Stderr, "usage: trigger [--wait] [--logs] [HOOK] (see --help)")
		return int(deployhook.CodeInvalidArgument)
	}
	hook := os.Getenv("CLOUDFLARE_DEPLOY_HOOK")
	if len(arguments) == 1 {
		hook = arguments[0]
	}
	if hook == "" {
		fmt.Fprintln(os.Stderr, "trigger: no hook: set CLOUDFLARE_DEPLOY_HOOK or pass it as the argument (see --help)")
		return int(deployhook.CodeInvalidArgument)
	}

	// Ctrl-C or SIGTERM ends the context, which interrupts the call at once.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	client, err := deployhook.NewClient()
	if err != nil {
		return report(err)
	}
	defer client.Close()
	var build deployhook.Build
	if wait {
		callbacks := deployhook.WaitOptions{
			OnStatus: func(_ string, status deployhook.Status) { fmt.Printf("status %s\n", status) },
		}
		if logs {
			callbacks.OnLog = func(line string, _ time.Time) { fmt.Printf("| %s\n", line) }
		}
		build, err = client.TriggerAndWait(ctx, hook, callbacks)
	} else {
		build, err = client.Trigger(ctx, hook)
	}
	if err != nil {
		return report(err)
	}

	pending, ended, uuid := "", "", build.BuildUUID
	if build.AlreadyExists != nil && *build.AlreadyExists {
		pending = " (a build was already pending: no new one was started)"
	}
	if build.Outcome != deployhook.OutcomeNone {
		ended = ", " + build.Outcome.String()
	}
	if uuid == "" {
		uuid = "(no id given)"
	}
	fmt.Printf("build %s: %s%s%s\n", uuid, build.Status, ended, pending)
	if !build.CreatedOn.IsZero() {
		fmt.Printf("created %s\n", isoformat(build.CreatedOn))
	}
	if !build.StoppedOn.IsZero() {
		fmt.Printf("stopped %s\n", isoformat(build.StoppedOn))
	}
	if build.PreviewURL != "" {
		fmt.Printf("preview %s\n", build.PreviewURL)
	}
	if build.CFRay != "" {
		fmt.Printf("cf-ray %s\n", build.CFRay)
	}
	if wait && build.Outcome != deployhook.OutcomeSuccess {
		return buildDidNotSucceed
	}
	return 0
}

// report prints a failure (its message already names the HTTP status and API code) and returns its code.
func report(err error) int {
	var failure *deployhook.Error
	if !errors.As(err, &failure) {
		fmt.Fprintf(os.Stderr, "trigger: %v\n", err)
		return int(deployhook.CodeInternal)
	}
	ray := ""
	if failure.CFRay != "" {
		ray = " [cf-ray " + failure.CFRay + "]"
	}
	fmt.Fprintf(os.Stderr, "trigger: %v%s\n", failure, ray)
	return int(failure.Code)
}

// isoformat writes a time as Python's datetime.isoformat() does, as the Python example prints it.
func isoformat(t time.Time) string {
	if t.Nanosecond()/1000 == 0 {
		return t.Format("2006-01-02T15:04:05-07:00")
	}
	return t.Format("2006-01-02T15:04:05.000000-07:00")
}
