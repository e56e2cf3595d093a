package deployhook_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"deployhook"
)

// shown is everything a value prints: %v, %+v, %#v, %s, %q and, for an error, Error() and its chain.
func shown(values ...interface{}) string {
	var b strings.Builder
	for _, value := range values {
		fmt.Fprintf(&b, "%v\n%+v\n%#v\n%s\n%q\n", value, value, value, value, value)
		if err, ok := value.(error); ok && err != nil {
			b.WriteString(err.Error())
			if unwrapped, ok := err.(interface{ Unwrap() error }); ok && unwrapped.Unwrap() != nil {
				b.WriteString(shown(unwrapped.Unwrap()))
			}
		}
	}
	return b.String()
}

// leaked names the secrets (in any letter case) that text contains; for a hook, also its tail, which no
// redaction shows (but the build UUIDs of the fake's build scenarios share: bd000003-... for b0000003-...).
func leaked(text string, secrets ...string) []string {
	lowered := strings.ToLower(text)
	var found []string
	for _, secret := range secrets {
		s := strings.ToLower(secret)
		if strings.Contains(lowered, s) || (len(s) == 36 && !strings.HasPrefix(s, "b0") && strings.Contains(lowered, s[9:])) {
			found = append(found, secret)
		}
	}
	return found
}

// No hook in any error, build or client, down every scenario of the fake and in every spelling.
func TestNoHookShown(t *testing.T) {
	t.Parallel()
	closed := fmt.Sprintf("http://127.0.0.1:%d/client/v4", closedPort(t))
	httpsFake := strings.Replace(fakeBase, "http://", "https://", 1)
	for name, hook := range scenarios {
		name, hook := name, hook
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			for _, base := range []string{fakeBase, closed, httpsFake} {
				client := newClient(t, deployhook.WithBaseURL(base), deployhook.WithMaxRetries(0),
					deployhook.WithTimeout(400*time.Millisecond))
				spellings := []string{hook, strings.ToUpper(hook), " " + hook + "\t\n", base + "/workers/builds/deploy_hooks/" + hook,
					"https://elsewhere.example/client/v4/workers/builds/deploy_hooks/" + hook, hook + "x", hook + "\x00",
					"\x00" + hook}
				var values []interface{}
				for _, given := range spellings {
					build, err := client.Trigger(context.Background(), given)
					values = append(values, build, err)
				}
				ctx, _ := cancelAfter(50 * time.Millisecond)
				build, err := client.Trigger(ctx, hook)
				values = append(values, build, err)
				results, err := client.TriggerMany(context.Background(), spellings)
				values = append(values, results, err, client)
				if found := leaked(shown(values...), hook); len(found) > 0 {
					t.Errorf("%s at %s: the hook shows:\n%s", name, base, shown(values...))
				}
			}
		})
	}
}

// No token in any error, build, client or option, down the wait and cancel paths.
func TestNoTokenShown(t *testing.T) {
	t.Parallel()
	const token = "go-secret-token-4c3b2a1908f7e6d5"
	var values []interface{}
	tokenOption := deployhook.WithAPIToken(token)
	values = append(values, tokenOption)
	client := emulatorClient(t, tokenOption, deployhook.WithWaitTimeout(5*time.Second)) // a wrong token: 403
	values = append(values, client)
	build, err := client.TriggerAndWait(context.Background(), emuSuccess, deployhook.WaitOptions{
		OnStatus: func(uuid string, status deployhook.Status) { values = append(values, uuid, status) },
		OnLog:    func(line string, at time.Time) { values = append(values, line, at) },
	})
	values = append(values, build, err)
	if err == nil {
		t.Errorf("a wrong token: no error")
	}
	build, err = client.Cancel(context.Background(), "5ec0e700-0000-4000-8000-0000000000ff")
	values = append(values, build, err)
	build, err = client.Wait(context.Background(), "5ec0e700-0000-4000-8000-0000000000ff", deployhook.WaitOptions{})
	values = append(values, build, err)
	// The fake's builds with its own token, echoing the hook: a token never set shows nowhere either.
	fake := newClient(t, deployhook.WithAPIToken(token))
	for _, scenario := range []string{"build_full", "cancel_stopped", "echo_hook"} {
		build, err = fake.Wait(context.Background(), buildOf(scenario), deployhook.WaitOptions{})
		values = append(values, build, err)
		build, err = fake.Cancel(context.Background(), buildOf(scenario))
		values = append(values, build, err)
	}
	// Refused tokens.
	for _, bad := range []string{token + " ", token + "\x00", "\x01" + token} {
		c, err := deployhook.NewClient(deployhook.WithAPIToken(bad))
		values = append(values, c, err)
	}
	if found := leaked(shown(values...), token, "4c3b2a1908f7e6d5"); len(found) > 0 {
		t.Errorf("the token shows:\n%s", shown(values...))
	}
}
