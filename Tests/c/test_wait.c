/*
 * C ABI test for following builds in libdeployhook (deployhook_wait,
 * deployhook_trigger_and_wait, their callback, options and accessors), over
 * real HTTP against the project's emulator (bindings/python/deployhook/emulator.py).
 *
 * Usage:
 *   test_wait --emulator-config > emulator.json   # the hooks, token and account it needs
 *   python3 -m deployhook.emulator --port 0 --config emulator.json \
 *       --builds-per-minute 1000 --log-page-size 2
 *   test_wait http://127.0.0.1:PORT/client/v4      # against a freshly started emulator
 * Prints failures as file:line, ends with one line "N passed, N failed"
 * (N counts individual checks) and exits non-zero on any failure.
 * Independent waits run in parallel threads (each poll gap is 2 s at first).
 */
#define _POSIX_C_SOURCE 200809L

#include <arpa/inet.h>
#include <limits.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "deployhook.h"
#include "check.h"
#include "fake_control.h"

/* s matches pattern, where 'x' stands for a lowercase hex digit and '9' for a digit. */
static int shaped(const char *s, const char *pattern)
{
    if (s == NULL || strlen(s) != strlen(pattern))
        return 0;
    for (; *s; s++, pattern++) {
        if (*pattern == 'x' ? strchr("0123456789abcdef", *s) == NULL
            : *pattern == '9' ? strchr("0123456789", *s) == NULL : *s != *pattern)
            return 0;
    }
    return 1;
}
#define UUID_SHAPE "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx"
#define ISO_SHAPE "9999-99-99T99:99:99.999Z"


/* ---------- the emulator's configuration ---------- */

#define TOKEN "dh-c-test-token-7Hq2Xv"         /* the emulator's token */
#define ACCOUNT "0a1b2c3d4e5f60718293a4b5c6d7e8f9"
#define WRONG_TOKEN "wrong-token-Zk4pQ9"
#define ENV_WRONG_TOKEN "env-wrong-token-Mw3Rb8"
#define WORKER "c-test-worker"

#define H_SUCCESS "11111111-0000-4000-8000-000000000001"
#define H_FAIL "11111111-0000-4000-8000-000000000002"
#define H_CANCELLED "11111111-0000-4000-8000-000000000003"
#define H_SKIPPED "11111111-0000-4000-8000-000000000004"
#define H_TERMINATED "11111111-0000-4000-8000-000000000005"
#define H_LOGS "11111111-0000-4000-8000-000000000006"
#define H_WAIT "11111111-0000-4000-8000-000000000007"
#define H_SLOW "11111111-0000-4000-8000-000000000008"
#define H_INSTANT "11111111-0000-4000-8000-000000000009"
#define H_ENV "11111111-0000-4000-8000-00000000000a"
#define H_WRONG "11111111-0000-4000-8000-00000000000b"
#define H_STEPS "11111111-0000-4000-8000-00000000000c"
#define H_NOCRED "11111111-0000-4000-8000-00000000000d"
#define H_REENTER "11111111-0000-4000-8000-00000000000e" /* its callback calls the library */
#define H_NESTED "11111111-0000-4000-8000-00000000000f"  /* ... to trigger and wait for this one */
#define H_UNKNOWN "11111111-0000-4000-8000-0000000000ff" /* not configured */
#define UNKNOWN_BUILD "22222222-0000-4000-8000-000000000000"

static const char *const LOGS_LINES[] = {
    "step 1: cloning", "\xc3\xbcn\xc3\xaf" "code \xe2\x9c\x93 \"quoted\" and back\\slash", "",
    "   spaces around   ", "last line",
};
#define N_LOGS_LINES 5
#define PROGRESS "Cloning repository...", "Installing dependencies...", "Running build command...", \
                 "Deploying to Cloudflare's global network..."
static const char *const SUCCESS_LINES[] = {PROGRESS, "Success: deployed"};
static const char *const FAIL_LINES[] = {PROGRESS, "Build failed"};

static const struct hook_def {
    const char *uuid, *outcome;
    double phase_seconds;
    const char *worker;
    int logs;  /* 1: LOGS_LINES, 0: the emulator's default lines */
} HOOK_DEFS[] = {
    {H_SUCCESS, "success", 0.2, WORKER, 0},   {H_FAIL, "fail", 0.2, NULL, 0},
    {H_CANCELLED, "cancelled", 0.2, NULL, 0}, {H_SKIPPED, "skipped", 0.2, NULL, 0},
    {H_TERMINATED, "terminated", 0.2, NULL, 0}, {H_LOGS, "success", 0.2, NULL, 1},
    {H_WAIT, "success", 0.2, NULL, 0},        {H_SLOW, "success", 60, NULL, 0},
    {H_INSTANT, "success", 0, NULL, 0},       {H_ENV, "success", 0.2, NULL, 0},
    {H_WRONG, "success", 0, NULL, 0},         {H_STEPS, "success", 1.0, NULL, 0},
    {H_NOCRED, "success", 60, NULL, 0},       {H_REENTER, "success", 0.2, NULL, 0},
    {H_NESTED, "success", 0, NULL, 0},
};
#define N_HOOKS (sizeof HOOK_DEFS / sizeof HOOK_DEFS[0])

static void json_string(const char *s)
{
    putchar('"');
    for (; *s; s++) {
        if (*s == '"' || *s == '\\')
            printf("\\%c", *s);
        else if ((unsigned char)*s < 0x20)
            printf("\\u%04x", (unsigned)*s);
        else
            putchar(*s);
    }
    putchar('"');
}

/* The emulator's --config file, on stdout. */
static void print_emulator_config(void)
{
    size_t i, j;
    printf("{\"token\": \"" TOKEN "\", \"account_id\": \"" ACCOUNT "\", \"hooks\": {");
    for (i = 0; i < N_HOOKS; i++) {
        const struct hook_def *h = &HOOK_DEFS[i];
        printf("%s\n  \"%s\": {\"outcome\": \"%s\", \"phase_seconds\": %g", i ? "," : "", h->uuid,
               h->outcome, h->phase_seconds);
        if (h->worker)
            printf(", \"worker\": \"%s\"", h->worker);
        if (h->logs) {
            printf(", \"logs\": [");
            for (j = 0; j < N_LOGS_LINES; j++) {
                if (j)
                    printf(", ");
                json_string(LOGS_LINES[j]);
            }
            putchar(']');
        }
        putchar('}');
    }
    printf("}}\n");
}

/* ---------- helpers ---------- */

static const char *g_base;  /* http://127.0.0.1:PORT/client/v4 */
static char g_dead[128];    /* an API base where nothing listens */

/* Options at base (the emulator when NULL) with the given credentials (NULL: unset), no retries. */
static deployhook_options *options_for(const char *base, const char *token, const char *account)
{
    deployhook_options *o = deployhook_options_new();
    if (o == NULL) {
        fprintf(stderr, "deployhook_options_new returned NULL\n");
        exit(2);
    }
    CHECK_INT(deployhook_options_set_base_url(o, base ? base : g_base), DEPLOYHOOK_OK);
    CHECK_INT(deployhook_options_set_max_retries(o, 0), DEPLOYHOOK_OK);
    CHECK_INT(deployhook_options_set_timeout_ms(o, 20000), DEPLOYHOOK_OK);
    if (token)
        CHECK_INT(deployhook_options_set_api_token(o, token), DEPLOYHOOK_OK);
    if (account)
        CHECK_INT(deployhook_options_set_account_id(o, account), DEPLOYHOOK_OK);
    return o;
}
#define EMU_OPTIONS() options_for(NULL, TOKEN, ACCOUNT)

/* No message or body may hold a token, nor a message a hook. */
static void check_no_secrets_(const char *file, int line, const deployhook_result *r)
{
    static const char *const tokens[] = {TOKEN, WRONG_TOKEN, ENV_WRONG_TOKEN};
    const char *msg = deployhook_error_message(r), *body = deployhook_response_body(r);
    size_t i;
    for (i = 0; i < 3; i++) {
        if (msg)
            check_(!contains_ci(msg, tokens[i]), file, line, "message holds a token: \"%s\"", msg);
        if (body)
            check_(strstr(body, tokens[i]) == NULL, file, line, "body holds a token: \"%s\"", body);
    }
    for (i = 0; msg && i < N_HOOKS; i++)
        check_(!contains_ci(msg, HOOK_DEFS[i].uuid), file, line, "message holds a hook: \"%s\"", msg);
}

/* Any non-NULL string, for want_uuid. */
static const char ANY[] = "<any>";

/*
 * A build followed to its end. want_uuid: exact, or ANY (a UUID). exists: already_exists.
 * Success has a preview URL https://<8 hex>-<worker>.workers.dev, other outcomes none.
 * Frees r.
 */
static void expect_stopped_(const char *file, int line, deployhook_result *r, int outcome,
                            const char *want_uuid, int exists, const char *worker)
{
    const char *uuid, *stopped, *created, *preview, *ray;
    char suffix[128];
    if (!CHECK_AT(file, line, r != NULL))
        return;
    if (!CHECK_INT_AT(file, line, deployhook_error_code(r), DEPLOYHOOK_OK))
        fprintf(stderr, "    message: %s\n", deployhook_error_message(r) ? deployhook_error_message(r) : "(null)");
    CHECK_STR_AT(file, line, deployhook_error_message(r), NULL);
    CHECK_INT_AT(file, line, deployhook_api_error_code(r), 0);
    CHECK_INT_AT(file, line, deployhook_build_status(r), DEPLOYHOOK_STATUS_STOPPED);
    CHECK_INT_AT(file, line, deployhook_build_outcome(r), outcome);
    CHECK_STR_AT(file, line, deployhook_outcome_name(deployhook_build_outcome(r)), deployhook_outcome_name(outcome));
    uuid = deployhook_build_uuid(r);
    if (want_uuid == ANY)
        check_(shaped(uuid, UUID_SHAPE), file, line, "build_uuid \"%s\" is a UUID", uuid ? uuid : "(null)");
    else
        CHECK_STR_AT(file, line, uuid, want_uuid);
    CHECK_INT_AT(file, line, deployhook_already_exists(r), exists);
    stopped = deployhook_stopped_on(r);
    created = deployhook_created_on(r);
    check_(shaped(stopped, ISO_SHAPE), file, line, "stopped_on \"%s\" is ISO 8601", stopped ? stopped : "(null)");
    check_(shaped(created, ISO_SHAPE), file, line, "created_on \"%s\" is ISO 8601", created ? created : "(null)");
    if (stopped && created)
        CHECK_AT(file, line, strcmp(created, stopped) <= 0);
    preview = deployhook_preview_url(r);
    if (outcome == DEPLOYHOOK_OUTCOME_SUCCESS) {
        snprintf(suffix, sizeof suffix, "https://xxxxxxxx-%s.my-subdomain.workers.dev", worker ? worker : "my-worker");
        check_(shaped(preview, suffix), file, line, "preview_url \"%s\" is %s", preview ? preview : "(null)", suffix);
    } else {
        CHECK_STR_AT(file, line, preview, NULL);
    }
    /* "the last answer": answers did arrive. */
    CHECK_INT_AT(file, line, deployhook_http_status(r), 200);
    ray = deployhook_cf_ray(r);
    check_(ends_with(ray, "-EMU"), file, line, "cf_ray \"%s\" is the emulator's", ray ? ray : "(null)");
    CHECK_AT(file, line, deployhook_response_body(r) != NULL);
    check_no_secrets_(file, line, r);
    deployhook_free_result(r);
}
#define EXPECT_STOPPED(r, outcome, uuid, exists, worker) \
    expect_stopped_(__FILE__, __LINE__, r, outcome, uuid, exists, worker)

/*
 * An error. want_uuid: exact (NULL expects NULL) or ANY. A message is required; the wait fields
 * (outcome, preview URL, stop time) are empty. Frees r.
 */
static void expect_error_(const char *file, int line, deployhook_result *r, int code, int api,
                          int http, const char *want_uuid, int exists)
{
    const char *msg, *uuid;
    if (!CHECK_AT(file, line, r != NULL))
        return;
    CHECK_INT_AT(file, line, deployhook_error_code(r), code);
    CHECK_INT_AT(file, line, deployhook_api_error_code(r), api);
    CHECK_INT_AT(file, line, deployhook_http_status(r), http);
    msg = deployhook_error_message(r);
    CHECK_AT(file, line, msg != NULL && msg[0] != '\0');
    uuid = deployhook_build_uuid(r);
    if (want_uuid == ANY)
        check_(shaped(uuid, UUID_SHAPE), file, line, "build_uuid \"%s\" is a UUID", uuid ? uuid : "(null)");
    else
        CHECK_STR_AT(file, line, uuid, want_uuid);
    CHECK_INT_AT(file, line, deployhook_already_exists(r), exists);
    CHECK_INT_AT(file, line, deployhook_build_outcome(r), DEPLOYHOOK_OUTCOME_NONE);
    CHECK_STR_AT(file, line, deployhook_preview_url(r), NULL);
    CHECK_STR_AT(file, line, deployhook_stopped_on(r), NULL);
    if (http == 0) {
        CHECK_STR_AT(file, line, deployhook_response_body(r), NULL);
        CHECK_STR_AT(file, line, deployhook_cf_ray(r), NULL);
    }
    check_no_secrets_(file, line, r);
    deployhook_free_result(r);
}
#define EXPECT_ERROR(r, code, api, http, uuid, exists) \
    expect_error_(__FILE__, __LINE__, r, code, api, http, uuid, exists)

/* A plain trigger: its build's UUID copied to uuid_out (37 bytes), then freed. */
static void trigger_(const char *file, int line, const char *hook, const deployhook_options *o,
                     int exists, int status, char *uuid_out)
{
    deployhook_result *r = deployhook_trigger_with(hook, o);
    const char *uuid = deployhook_build_uuid(r);
    uuid_out[0] = '\0';
    if (!CHECK_AT(file, line, r != NULL))
        return;
    CHECK_INT_AT(file, line, deployhook_error_code(r), DEPLOYHOOK_OK);
    check_(shaped(uuid, UUID_SHAPE), file, line, "build_uuid \"%s\" is a UUID", uuid ? uuid : "(null)");
    if (uuid && strlen(uuid) == 36)
        memcpy(uuid_out, uuid, 37);
    CHECK_INT_AT(file, line, deployhook_already_exists(r), exists);
    CHECK_INT_AT(file, line, deployhook_build_status(r), status);
    /* A plain trigger knows nothing of the build's end. */
    CHECK_INT_AT(file, line, deployhook_build_outcome(r), DEPLOYHOOK_OUTCOME_NONE);
    CHECK_STR_AT(file, line, deployhook_preview_url(r), NULL);
    CHECK_STR_AT(file, line, deployhook_stopped_on(r), NULL);
    deployhook_free_result(r);
}
#define TRIGGER(hook, o, exists, status, out) trigger_(__FILE__, __LINE__, hook, o, exists, status, out)

/* ---------- the callback's recorder ---------- */

#define MAGIC 0x5eedf00du
#define MAX_EVENTS 64

typedef struct {
    int event, status, has_text;
    char text[256];
    double timestamp;
} event_record;

typedef struct {
    unsigned magic;
    int n, overflow;
    event_record ev[MAX_EVENTS];
} recorder;

static int g_null_user_data_events;  /* events with user_data NULL (under check_lock) */
static int g_bad_user_data_events;   /* events with some other user_data (under check_lock) */

static void on_event(int event, int status, const char *text, double timestamp, void *user_data)
{
    recorder *rec = user_data;
    event_record *e;
    if (rec == NULL || rec->magic != MAGIC) {
        pthread_mutex_lock(&check_lock);
        if (rec == NULL)
            g_null_user_data_events++;
        else
            g_bad_user_data_events++;
        pthread_mutex_unlock(&check_lock);
        return;
    }
    if (rec->n == MAX_EVENTS) {
        rec->overflow = 1;
        return;
    }
    e = &rec->ev[rec->n++];
    e->event = event;
    e->status = status;
    e->has_text = text != NULL;
    snprintf(e->text, sizeof e->text, "%s", text ? text : "");
    e->timestamp = timestamp;
}

static void recorder_init(recorder *rec)
{
    memset(rec, 0, sizeof *rec);
    rec->magic = MAGIC;
}

/*
 * The events of one wait: STATUS events strictly advancing (no repeats), the last one last_status, each
 * with text NULL and timestamp 0; LOG events exactly lines[0..n_lines) in order (none when lines is NULL),
 * each with the last status reported before it (UNKNOWN before the first) and a plausible, non-decreasing
 * timestamp. A build's last lines come before the news that it stopped: nothing follows STOPPED.
 */
static void check_events_(const char *file, int line, const recorder *rec, int last_status,
                          const char *const *lines, int n_lines)
{
    /* One check per property, so the count does not depend on poll timing; details go to note_. */
    int i, n_logs = 0, status = 0, statuses = 0;
    int advance = 1, after_stop = 1, log_fields = 1, texts = 1, times = 1;
    double last_ts = 0, wall = (double)time(NULL);
    for (i = 0; i < rec->n; i++) {
        const event_record *e = &rec->ev[i];
        if (status == DEPLOYHOOK_STATUS_STOPPED)
            after_stop &= note_(0, file, line, "event %d follows STOPPED", i);
        if (e->event == DEPLOYHOOK_EVENT_STATUS) {
            advance &= note_(e->status > status && e->status >= DEPLOYHOOK_STATUS_QUEUED &&
                             e->status <= DEPLOYHOOK_STATUS_STOPPED && e->has_text && e->timestamp == 0,
                             file, line, "STATUS event %d: %s after %s, text %s, timestamp %.3f", i,
                             deployhook_status_name(e->status), deployhook_status_name(status),
                             e->has_text ? "set" : "NULL (expected the build's UUID)", e->timestamp);
            status = e->status;
            statuses++;
        } else {
            log_fields &= note_(e->event == DEPLOYHOOK_EVENT_LOG && e->has_text && e->status == status, file, line,
                                "event %d: kind %d, text %s, status %s, the last reported is %s", i, e->event,
                                e->has_text ? "set" : "NULL", deployhook_status_name(e->status),
                                deployhook_status_name(status));
            if (lines == NULL || n_logs >= n_lines)
                texts &= note_(0, file, line, "unexpected LOG event \"%s\"", e->text);
            else
                texts &= note_(strcmp(e->text, lines[n_logs]) == 0, file, line,
                               "log line %d is \"%s\", expected \"%s\"", n_logs, e->text, lines[n_logs]);
            times &= note_(e->timestamp >= last_ts && e->timestamp > wall - 3600 && e->timestamp < wall + 60, file,
                           line, "log timestamp %.3f (previous %.3f, now %.0f)", e->timestamp, last_ts, wall);
            last_ts = e->timestamp;
            n_logs++;
        }
    }
    CHECK_INT_AT(file, line, rec->overflow, 0);
    check_(advance, file, line, "STATUS events advance, without repeats");
    check_(after_stop, file, line, "nothing follows the STOPPED event");
    check_(log_fields, file, line, "LOG events carry text and the last status reported");
    check_(times, file, line, "log timestamps are plausible and in order");
    check_(texts, file, line, "log lines as configured");
    CHECK_INT_AT(file, line, n_logs, lines ? n_lines : 0);
    CHECK_AT(file, line, statuses >= 1);
    check_(status == (int)last_status, file, line, "last STATUS event is %s, expected %s",
           deployhook_status_name(status), deployhook_status_name(last_status));
}
#define CHECK_EVENTS(rec, last, lines, n) check_events_(__FILE__, __LINE__, rec, last, lines, n)

/* ---------- serial cases (no threads running: they change the environment) ---------- */

static void test_names_and_nulls(void)
{
    static const char *const names[] = {"none", "success", "fail", "skipped", "cancelled", "terminated", "unknown"};
    int i;
    set_case("names and NULLs");
    for (i = 0; i <= DEPLOYHOOK_OUTCOME_UNKNOWN; i++)
        CHECK_STR(deployhook_outcome_name(i), names[i]);
    CHECK_STR(deployhook_outcome_name(7), "unknown");
    CHECK_STR(deployhook_outcome_name(-1), "unknown");
    CHECK_STR(deployhook_outcome_name(INT_MAX), "unknown");
    CHECK_STR(deployhook_outcome_name(INT_MIN), "unknown");
    CHECK_STR(deployhook_error_name(DEPLOYHOOK_ERR_WAIT_TIMEOUT), "DEPLOYHOOK_ERR_WAIT_TIMEOUT");

    CHECK_INT(deployhook_build_outcome(NULL), DEPLOYHOOK_OUTCOME_NONE);
    CHECK_STR(deployhook_preview_url(NULL), NULL);
    CHECK_STR(deployhook_stopped_on(NULL), NULL);
    CHECK_INT(deployhook_options_set_api_token(NULL, TOKEN), DEPLOYHOOK_ERR_INVALID_ARGUMENT);
    CHECK_INT(deployhook_options_set_api_token(NULL, NULL), DEPLOYHOOK_ERR_INVALID_ARGUMENT);
    CHECK_INT(deployhook_options_set_account_id(NULL, ACCOUNT), DEPLOYHOOK_ERR_INVALID_ARGUMENT);
    CHECK_INT(deployhook_options_set_account_id(NULL, NULL), DEPLOYHOOK_ERR_INVALID_ARGUMENT);
    CHECK_INT(deployhook_options_set_wait_timeout_ms(NULL, 1000), DEPLOYHOOK_ERR_INVALID_ARGUMENT);
}

/* Bad or NULL build UUIDs and hooks: INVALID_ARGUMENT, nothing sent (the base is a dead port). */
static void test_bad_arguments(void)
{
    static const char *const bad[] = {
        "", "   ", "not-a-uuid", "22222222-0000-4000-8000-00000000000",
        "22222222-0000-4000-8000-0000000000000", "g2222222-0000-4000-8000-000000000000",
        "22222222_0000_4000_8000_000000000000", "22222222-0000-4000-8000-000000000000/logs",
        "../22222222-0000-4000-8000-000000000000",
    };
    deployhook_options *dead = options_for(g_dead, TOKEN, ACCOUNT), *o = EMU_OPTIONS();
    recorder rec;
    size_t i;
    set_case("bad arguments");
    recorder_init(&rec);
    for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        deployhook_result *r = deployhook_wait(bad[i], dead, 1, on_event, &rec);
        check_(deployhook_error_code(r) == DEPLOYHOOK_ERR_INVALID_ARGUMENT, __FILE__, __LINE__,
               "wait(\"%s\") is %s, expected INVALID_ARGUMENT", bad[i],
               deployhook_error_name(deployhook_error_code(r)));
        /* Not a build: nothing to name ("NULL when absent or on error"). */
        check_(deployhook_build_uuid(r) == NULL, __FILE__, __LINE__, "wait(\"%s\"): build_uuid \"%s\", expected NULL",
               bad[i], deployhook_build_uuid(r) ? deployhook_build_uuid(r) : "(null)");
        EXPECT_ERROR(r, DEPLOYHOOK_ERR_INVALID_ARGUMENT, 0, 0, deployhook_build_uuid(r), -1);
    }
    EXPECT_ERROR(deployhook_wait(NULL, dead, 1, on_event, &rec), DEPLOYHOOK_ERR_INVALID_ARGUMENT, 0, 0, NULL, -1);
    EXPECT_ERROR(deployhook_wait(NULL, NULL, 0, NULL, NULL), DEPLOYHOOK_ERR_INVALID_ARGUMENT, 0, 0, NULL, -1);
    EXPECT_ERROR(deployhook_trigger_and_wait(NULL, dead, 1, on_event, &rec), DEPLOYHOOK_ERR_INVALID_ARGUMENT, 0, 0,
                 NULL, -1);
    EXPECT_ERROR(deployhook_trigger_and_wait(NULL, NULL, 0, NULL, NULL), DEPLOYHOOK_ERR_INVALID_ARGUMENT, 0, 0, NULL,
                 -1);
    EXPECT_ERROR(deployhook_trigger_and_wait("not-a-hook", dead, 0, on_event, &rec), DEPLOYHOOK_ERR_INVALID_ARGUMENT,
                 0, 0, NULL, -1);
    CHECK_INT(rec.n, 0);

    /* Well-formed but unknown: the emulator's 404. */
    EXPECT_ERROR(deployhook_wait(UNKNOWN_BUILD, o, 1, on_event, &rec), DEPLOYHOOK_ERR_NOT_FOUND, 12000, 404,
                 UNKNOWN_BUILD, -1);
    EXPECT_ERROR(deployhook_trigger_and_wait(H_UNKNOWN, o, 1, on_event, &rec), DEPLOYHOOK_ERR_NOT_FOUND, 12000, 404,
                 NULL, -1);
    CHECK_INT(rec.n, 0);
    deployhook_options_free(dead);
    deployhook_options_free(o);
}

/* CLOUDFLARE_API_TOKEN and CLOUDFLARE_ACCOUNT_ID are unset here. */
static void test_missing_credentials(void)
{
    deployhook_options *none = options_for(g_dead, NULL, NULL), *token_only = options_for(g_dead, TOKEN, NULL),
                       *account_only = options_for(g_dead, NULL, ACCOUNT), *emu_none = options_for(NULL, NULL, NULL),
                       *o = EMU_OPTIONS();
    recorder rec;
    char uuid[37];
    set_case("missing credentials");
    recorder_init(&rec);
    unsetenv("CLOUDFLARE_API_TOKEN");
    unsetenv("CLOUDFLARE_ACCOUNT_ID");
    /* No request needed: the base is a dead port, so a request would be ERR_NETWORK. */
    EXPECT_ERROR(deployhook_wait(UNKNOWN_BUILD, none, 1, on_event, &rec), DEPLOYHOOK_ERR_NO_CREDENTIALS, 0, 0,
                 UNKNOWN_BUILD, -1);
    EXPECT_ERROR(deployhook_wait(UNKNOWN_BUILD, token_only, 1, on_event, &rec), DEPLOYHOOK_ERR_NO_CREDENTIALS, 0,
                 0, UNKNOWN_BUILD, -1);
    EXPECT_ERROR(deployhook_wait(UNKNOWN_BUILD, account_only, 1, on_event, &rec), DEPLOYHOOK_ERR_NO_CREDENTIALS,
                 0, 0, UNKNOWN_BUILD, -1);
    EXPECT_ERROR(deployhook_wait(UNKNOWN_BUILD, NULL, 1, on_event, &rec), DEPLOYHOOK_ERR_NO_CREDENTIALS, 0, 0,
                 UNKNOWN_BUILD, -1);
    /* Empty variables count as unset. */
    setenv("CLOUDFLARE_API_TOKEN", "", 1);
    setenv("CLOUDFLARE_ACCOUNT_ID", "", 1);
    EXPECT_ERROR(deployhook_wait(UNKNOWN_BUILD, none, 1, on_event, &rec), DEPLOYHOOK_ERR_NO_CREDENTIALS, 0, 0,
                 UNKNOWN_BUILD, -1);
    unsetenv("CLOUDFLARE_API_TOKEN");
    unsetenv("CLOUDFLARE_ACCOUNT_ID");

    /*
     * trigger_and_wait without credentials: NO_CREDENTIALS means "nothing was sent", so it must not
     * trigger a build it cannot follow. H_NOCRED's builds stay pending for 2 min: had the call started
     * one, the next trigger would find it (already_exists 1).
     */
    EXPECT_ERROR(deployhook_trigger_and_wait(H_NOCRED, emu_none, 1, on_event, &rec), DEPLOYHOOK_ERR_NO_CREDENTIALS,
                 0, 0, NULL, -1);
    TRIGGER(H_NOCRED, o, 0, DEPLOYHOOK_STATUS_QUEUED, uuid);
    CHECK_INT(rec.n, 0);
    deployhook_options_free(none);
    deployhook_options_free(token_only);
    deployhook_options_free(account_only);
    deployhook_options_free(emu_none);
    deployhook_options_free(o);
}

/* The three setters: boundaries accepted; bad values INVALID_ARGUMENT, changing nothing. Env creds unset. */
static void test_setters(void)
{
    static const char *const bad_tokens[] = {"", "   ", "a b", "tab\there", "new\nline", "del\x7f", "t\xc3\xb6ken"};
    static const char *const bad_accounts[] = {"", " ", "a/b", "a b", "acc.ount", "acc:ount", "\xc3\xbc", "a?b=c"};
    long bad_ms[] = {0, -1, 86400001L, LONG_MAX, LONG_MIN};
    char long_text[1100], uuid[37];
    deployhook_options *o = EMU_OPTIONS(), *p = EMU_OPTIONS();
    size_t i;
    set_case("setter validation");

    memset(long_text, '~', 1024);
    long_text[1024] = '\0';
    CHECK_INT(deployhook_options_set_api_token(p, "x"), DEPLOYHOOK_OK);
    CHECK_INT(deployhook_options_set_api_token(p, long_text), DEPLOYHOOK_OK);
    CHECK_INT(deployhook_options_set_api_token(p, "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"), DEPLOYHOOK_OK);
    CHECK_INT(deployhook_options_set_api_token(p, NULL), DEPLOYHOOK_OK);
    CHECK_INT(deployhook_options_set_account_id(p, "a"), DEPLOYHOOK_OK);
    CHECK_INT(deployhook_options_set_account_id(p, "Acc_ount-42"), DEPLOYHOOK_OK);
    memset(long_text, 'a', 64);
    long_text[64] = '\0';
    CHECK_INT(deployhook_options_set_account_id(p, long_text), DEPLOYHOOK_OK);
    CHECK_INT(deployhook_options_set_account_id(p, NULL), DEPLOYHOOK_OK);
    CHECK_INT(deployhook_options_set_wait_timeout_ms(p, 1), DEPLOYHOOK_OK);
    CHECK_INT(deployhook_options_set_wait_timeout_ms(p, 86400000L), DEPLOYHOOK_OK);

    for (i = 0; i < sizeof bad_tokens / sizeof bad_tokens[0]; i++)
        check_(deployhook_options_set_api_token(o, bad_tokens[i]) == DEPLOYHOOK_ERR_INVALID_ARGUMENT, __FILE__,
               __LINE__, "set_api_token(bad %zu) is INVALID_ARGUMENT", i);
    memset(long_text, 't', 1025);
    long_text[1025] = '\0';
    CHECK_INT(deployhook_options_set_api_token(o, long_text), DEPLOYHOOK_ERR_INVALID_ARGUMENT);
    for (i = 0; i < sizeof bad_accounts / sizeof bad_accounts[0]; i++)
        check_(deployhook_options_set_account_id(o, bad_accounts[i]) == DEPLOYHOOK_ERR_INVALID_ARGUMENT, __FILE__,
               __LINE__, "set_account_id(\"%s\") is INVALID_ARGUMENT", bad_accounts[i]);
    memset(long_text, 'a', 65);
    long_text[65] = '\0';
    CHECK_INT(deployhook_options_set_account_id(o, long_text), DEPLOYHOOK_ERR_INVALID_ARGUMENT);
    CHECK_INT(deployhook_options_set_wait_timeout_ms(o, 20000), DEPLOYHOOK_OK);
    for (i = 0; i < sizeof bad_ms / sizeof bad_ms[0]; i++)
        CHECK_INT(deployhook_options_set_wait_timeout_ms(o, bad_ms[i]), DEPLOYHOOK_ERR_INVALID_ARGUMENT);

    /* Token and account kept (the environment has neither): an instant build is read fine. */
    TRIGGER(H_INSTANT, o, 0, DEPLOYHOOK_STATUS_STOPPED, uuid);
    EXPECT_STOPPED(deployhook_wait(uuid, o, 0, NULL, NULL), DEPLOYHOOK_OUTCOME_SUCCESS, uuid, -1, NULL);
    /* NULL goes back to the (unset) environment. */
    CHECK_INT(deployhook_options_set_api_token(o, NULL), DEPLOYHOOK_OK);
    EXPECT_ERROR(deployhook_wait(uuid, o, 0, NULL, NULL), DEPLOYHOOK_ERR_NO_CREDENTIALS, 0, 0, uuid, -1);
    CHECK_INT(deployhook_options_set_api_token(o, TOKEN), DEPLOYHOOK_OK);
    CHECK_INT(deployhook_options_set_account_id(o, NULL), DEPLOYHOOK_OK);
    EXPECT_ERROR(deployhook_wait(uuid, o, 0, NULL, NULL), DEPLOYHOOK_ERR_NO_CREDENTIALS, 0, 0, uuid, -1);
    /* The wait timeout kept is checked with H_SLOW, in parallel. */
    deployhook_options_free(o);
    deployhook_options_free(p);
}

/* The environment holds a wrong token and account: explicit options beat it, missing ones fall back to it. */
static void test_options_beat_env(void)
{
    deployhook_options *o = EMU_OPTIONS(), *token_only = options_for(NULL, TOKEN, NULL),
                       *account_only = options_for(NULL, NULL, ACCOUNT);
    char uuid[37];
    set_case("options beat the environment");
    setenv("CLOUDFLARE_API_TOKEN", ENV_WRONG_TOKEN, 1);
    setenv("CLOUDFLARE_ACCOUNT_ID", "env-wrong-account", 1);
    TRIGGER(H_INSTANT, o, 0, DEPLOYHOOK_STATUS_STOPPED, uuid);
    EXPECT_STOPPED(deployhook_wait(uuid, o, 0, NULL, NULL), DEPLOYHOOK_OUTCOME_SUCCESS, uuid, -1, NULL);
    EXPECT_STOPPED(deployhook_trigger_and_wait(H_INSTANT, o, 0, NULL, NULL), DEPLOYHOOK_OUTCOME_SUCCESS, ANY, 0, NULL);
    EXPECT_ERROR(deployhook_wait(uuid, NULL, 0, NULL, NULL), DEPLOYHOOK_ERR_API, 10000, 403, uuid, -1);
    EXPECT_ERROR(deployhook_wait(uuid, account_only, 0, NULL, NULL), DEPLOYHOOK_ERR_API, 10000, 403, uuid, -1);
    EXPECT_ERROR(deployhook_wait(uuid, token_only, 0, NULL, NULL), DEPLOYHOOK_ERR_NOT_FOUND, 7003, 404, uuid, -1);
    unsetenv("CLOUDFLARE_API_TOKEN");
    unsetenv("CLOUDFLARE_ACCOUNT_ID");
    deployhook_options_free(o);
    deployhook_options_free(token_only);
    deployhook_options_free(account_only);
}

/* ---------- parallel cases (the environment holds the right token and account) ---------- */

/* trigger_and_wait to an outcome. */
typedef struct {
    const char *name, *hook, *worker;
    int outcome;
    int follow_logs, callback;  /* callback: 0 none, 1 recorder, 2 NULL user_data */
    const char *const *lines;
    int n_lines;
} outcome_case;

static void *run_outcome_case(void *arg)
{
    const outcome_case *c = arg;
    deployhook_options *o = EMU_OPTIONS();
    recorder *rec = malloc(sizeof *rec);
    set_case(c->name);
    if (!CHECK(rec != NULL))
        return NULL;
    recorder_init(rec);
    EXPECT_STOPPED(deployhook_trigger_and_wait(c->hook, o, c->follow_logs, c->callback ? on_event : NULL,
                                               c->callback == 1 ? rec : NULL),
                   c->outcome, ANY, 0, c->worker);
    if (c->callback == 1)
        CHECK_EVENTS(rec, DEPLOYHOOK_STATUS_STOPPED, c->follow_logs ? c->lines : NULL, c->n_lines);
    free(rec);
    deployhook_options_free(o);
    return NULL;
}

static const outcome_case OUTCOME_CASES[] = {
    {"success", H_SUCCESS, WORKER, DEPLOYHOOK_OUTCOME_SUCCESS, 0, 1, SUCCESS_LINES, 5},
    {"fail, default logs", H_FAIL, NULL, DEPLOYHOOK_OUTCOME_FAIL, 1, 1, FAIL_LINES, 5},
    {"cancelled, NULL user_data", H_CANCELLED, NULL, DEPLOYHOOK_OUTCOME_CANCELLED, 1, 2, NULL, 0},
    {"skipped, NULL callback", H_SKIPPED, NULL, DEPLOYHOOK_OUTCOME_SKIPPED, 1, 0, NULL, 0},
    {"terminated, no logs", H_TERMINATED, NULL, DEPLOYHOOK_OUTCOME_TERMINATED, 0, 1, NULL, 0},
    {"configured logs, paged", H_LOGS, NULL, DEPLOYHOOK_OUTCOME_SUCCESS, 1, 1, LOGS_LINES, N_LOGS_LINES},
    {"several statuses", H_STEPS, NULL, DEPLOYHOOK_OUTCOME_SUCCESS, 1, 1, SUCCESS_LINES, 5},
};
#define N_OUTCOME_CASES (sizeof OUTCOME_CASES / sizeof OUTCOME_CASES[0])

/* deployhook_wait on a build from a plain trigger. */
static void *run_wait_case(void *arg)
{
    deployhook_options *o = EMU_OPTIONS();
    recorder *rec = malloc(sizeof *rec);
    char uuid[37], upper[64];
    size_t i;
    (void)arg;
    set_case("wait on a triggered build");
    if (!CHECK(rec != NULL))
        return NULL;
    TRIGGER(H_WAIT, o, 0, DEPLOYHOOK_STATUS_QUEUED, uuid);
    recorder_init(rec);
    EXPECT_STOPPED(deployhook_wait(uuid, o, 0, on_event, rec), DEPLOYHOOK_OUTCOME_SUCCESS, uuid, -1, NULL);
    CHECK_EVENTS(rec, DEPLOYHOOK_STATUS_STOPPED, NULL, 0);

    /* Stopped already: one poll, one STATUS event, every line at once; any letter case and spaces. */
    snprintf(upper, sizeof upper, "  %s\t", uuid);
    for (i = 0; upper[i]; i++)
        if (upper[i] >= 'a' && upper[i] <= 'f')
            upper[i] = (char)(upper[i] - 'a' + 'A');
    recorder_init(rec);
    EXPECT_STOPPED(deployhook_wait(upper, o, 1, on_event, rec), DEPLOYHOOK_OUTCOME_SUCCESS, uuid, -1, NULL);
    CHECK_EVENTS(rec, DEPLOYHOOK_STATUS_STOPPED, SUCCESS_LINES, 5);
    CHECK_INT(rec->n, 6);
    free(rec);
    deployhook_options_free(o);
    return NULL;
}

/* H_SLOW stays queued for 60 s: already_exists, and the wait timeout (1500 ms, kept through bad values). */
static void *run_timeout_case(void *arg)
{
    static const long bad_ms[] = {0, -1, 86400001L, LONG_MAX, LONG_MIN};
    deployhook_options *o = EMU_OPTIONS();
    recorder *rec = malloc(sizeof *rec);
    char uuid[37], again[37];
    deployhook_result *r;
    double t0, took;
    size_t i;
    (void)arg;
    set_case("wait timeout");
    if (!CHECK(rec != NULL))
        return NULL;
    recorder_init(rec);
    CHECK_INT(deployhook_options_set_wait_timeout_ms(o, 1500), DEPLOYHOOK_OK);
    for (i = 0; i < sizeof bad_ms / sizeof bad_ms[0]; i++)
        CHECK_INT(deployhook_options_set_wait_timeout_ms(o, bad_ms[i]), DEPLOYHOOK_ERR_INVALID_ARGUMENT);

    TRIGGER(H_SLOW, o, 0, DEPLOYHOOK_STATUS_QUEUED, uuid);
    TRIGGER(H_SLOW, o, 1, DEPLOYHOOK_STATUS_QUEUED, again);
    CHECK_STR(again, uuid);

    t0 = now_s();
    EXPECT_ERROR(deployhook_trigger_and_wait(H_SLOW, o, 1, on_event, rec), DEPLOYHOOK_ERR_WAIT_TIMEOUT, 0, 200,
                 uuid, 1);
    took = now_s() - t0;
    check_(took >= 1.4 && took < 6.0, __FILE__, __LINE__, "trigger_and_wait with a 1500 ms wait timeout took %.3f s",
           took);
    CHECK_EVENTS(rec, DEPLOYHOOK_STATUS_QUEUED, NULL, 0);
    CHECK_INT(rec->n, 1);

    t0 = now_s();
    EXPECT_ERROR(deployhook_wait(uuid, o, 0, NULL, NULL), DEPLOYHOOK_ERR_WAIT_TIMEOUT, 0, 200, uuid, -1);
    took = now_s() - t0;
    check_(took >= 1.4 && took < 6.0, __FILE__, __LINE__, "wait with a 1500 ms wait timeout took %.3f s", took);

    /* With 1 ms, whether the one poll answers in time depends on the machine: the status may be 0 or 200. */
    CHECK_INT(deployhook_options_set_wait_timeout_ms(o, 1), DEPLOYHOOK_OK);
    t0 = now_s();
    r = deployhook_wait(uuid, o, 0, NULL, NULL);
    took = now_s() - t0;
    CHECK_INT(deployhook_error_code(r), DEPLOYHOOK_ERR_WAIT_TIMEOUT);
    CHECK(deployhook_http_status(r) == 0 || deployhook_http_status(r) == 200);
    CHECK_STR(deployhook_build_uuid(r), uuid);
    deployhook_free_result(r);
    check_(took < 3.0, __FILE__, __LINE__, "wait with a 1 ms wait timeout took %.3f s", took);
    free(rec);
    deployhook_options_free(o);
    return NULL;
}

/* Credentials from CLOUDFLARE_API_TOKEN / CLOUDFLARE_ACCOUNT_ID; NULL options are the defaults. */
static void *run_env_case(void *arg)
{
    deployhook_options *base_only = options_for(NULL, NULL, NULL);
    deployhook_result *r;
    char uuid[37] = "";
    (void)arg;
    set_case("environment fallback");
    r = deployhook_trigger_and_wait(H_ENV, NULL, 1, NULL, NULL);
    if (deployhook_build_uuid(r) && strlen(deployhook_build_uuid(r)) == 36)
        memcpy(uuid, deployhook_build_uuid(r), 37);
    EXPECT_STOPPED(r, DEPLOYHOOK_OUTCOME_SUCCESS, ANY, 0, NULL);
    EXPECT_STOPPED(deployhook_wait(uuid, NULL, 0, NULL, NULL), DEPLOYHOOK_OUTCOME_SUCCESS, uuid, -1, NULL);
    EXPECT_STOPPED(deployhook_wait(uuid, base_only, 1, NULL, NULL), DEPLOYHOOK_OUTCOME_SUCCESS, uuid, -1, NULL);
    deployhook_options_free(base_only);
    return NULL;
}

/* A wrong token or account in the options beats the right ones in the environment. */
static void *run_wrong_credentials_case(void *arg)
{
    deployhook_options *wrong_token = options_for(NULL, WRONG_TOKEN, ACCOUNT),
                       *wrong_account = options_for(NULL, TOKEN, "no-such-account");
    recorder rec;
    char uuid[37] = "";
    deployhook_result *r;
    (void)arg;
    set_case("wrong credentials");
    recorder_init(&rec);
    r = deployhook_trigger_and_wait(H_WRONG, wrong_token, 1, on_event, &rec);
    if (deployhook_build_uuid(r) && strlen(deployhook_build_uuid(r)) == 36)
        memcpy(uuid, deployhook_build_uuid(r), 37);
    /* The trigger worked (no token needed), so the result names the build. */
    CHECK_INT(deployhook_build_status(r), DEPLOYHOOK_STATUS_STOPPED);
    EXPECT_ERROR(r, DEPLOYHOOK_ERR_API, 10000, 403, ANY, 0);
    EXPECT_ERROR(deployhook_wait(uuid, wrong_token, 1, on_event, &rec), DEPLOYHOOK_ERR_API, 10000, 403, uuid, -1);
    EXPECT_ERROR(deployhook_wait(uuid, wrong_account, 1, on_event, &rec), DEPLOYHOOK_ERR_NOT_FOUND, 7003, 404, uuid,
                 -1);
    CHECK_INT(rec.n, 0);
    deployhook_options_free(wrong_token);
    deployhook_options_free(wrong_account);
    return NULL;
}

/* A callback may call any deployhook function: at each STATUS event this one triggers another hook with
 * the same options and waits for that build, from inside the outer wait. */
typedef struct {
    const deployhook_options *options;
    int events, nested_ok;
} reentry;

static void on_event_reenter(int event, int status, const char *text, double timestamp, void *user_data)
{
    reentry *re = user_data;
    deployhook_result *triggered, *waited;
    (void)text;
    (void)timestamp;
    if (event != DEPLOYHOOK_EVENT_STATUS)
        return;
    re->events++;
    triggered = deployhook_trigger_with(H_NESTED, re->options);
    waited = deployhook_wait(deployhook_build_uuid(triggered), re->options, 1, NULL, NULL);
    if (deployhook_error_code(triggered) == DEPLOYHOOK_OK && deployhook_error_code(waited) == DEPLOYHOOK_OK &&
        deployhook_build_outcome(waited) == DEPLOYHOOK_OUTCOME_SUCCESS &&
        strcmp(deployhook_status_name(status), "unknown") != 0)
        re->nested_ok++;
    deployhook_free_result(waited);
    deployhook_free_result(triggered);
}

static void *run_reentry_case(void *arg)
{
    deployhook_options *o = EMU_OPTIONS();
    reentry re = {NULL, 0, 0};
    (void)arg;
    set_case("a callback calls the library");
    re.options = o;
    EXPECT_STOPPED(deployhook_trigger_and_wait(H_REENTER, o, 1, on_event_reenter, &re), DEPLOYHOOK_OUTCOME_SUCCESS,
                   ANY, 0, NULL);
    CHECK(re.events >= 1);
    CHECK_INT(re.nested_ok, re.events);
    deployhook_options_free(o);
    return NULL;
}

static void test_parallel(void)
{
    enum { MAX_THREADS = 16 };
    pthread_t threads[MAX_THREADS];
    int started[MAX_THREADS], n = 0, i, bad;
    size_t k;
    set_case("parallel");
    setenv("CLOUDFLARE_API_TOKEN", TOKEN, 1);
    setenv("CLOUDFLARE_ACCOUNT_ID", ACCOUNT, 1);
    for (k = 0; k < N_OUTCOME_CASES; k++, n++)
        started[n] = pthread_create(&threads[n], NULL, run_outcome_case, (void *)&OUTCOME_CASES[k]) == 0;
    started[n] = pthread_create(&threads[n], NULL, run_wait_case, NULL) == 0;
    n++;
    started[n] = pthread_create(&threads[n], NULL, run_timeout_case, NULL) == 0;
    n++;
    started[n] = pthread_create(&threads[n], NULL, run_env_case, NULL) == 0;
    n++;
    started[n] = pthread_create(&threads[n], NULL, run_wrong_credentials_case, NULL) == 0;
    n++;
    started[n] = pthread_create(&threads[n], NULL, run_reentry_case, NULL) == 0;
    n++;
    for (i = 0; i < n; i++)
        if (CHECK(started[i]))
            pthread_join(threads[i], NULL);
    set_case("parallel");
    /* Only the "NULL user_data" case passes NULL; nobody gets another pointer. */
    pthread_mutex_lock(&check_lock);
    bad = g_bad_user_data_events;
    i = g_null_user_data_events;
    pthread_mutex_unlock(&check_lock);
    CHECK_INT(bad, 0);
    CHECK(i >= 1);
    unsetenv("CLOUDFLARE_API_TOKEN");
    unsetenv("CLOUDFLARE_ACCOUNT_ID");
}

/* SIGALRM: a call hung; fail instead of blocking CI. */
static void on_watchdog(int sig)
{
    static const char msg[] = "test_wait: watchdog fired, a call hung\n";
    ssize_t ignored = write(STDERR_FILENO, msg, sizeof msg - 1);
    (void)ignored;
    (void)sig;
    _exit(3);
}

int main(int argc, char **argv)
{
    int port;
    if (argc == 2 && strcmp(argv[1], "--emulator-config") == 0) {
        print_emulator_config();
        return 0;
    }
    if (argc != 2 || sscanf(argv[1], "http://127.0.0.1:%d/", &port) != 1) {
        fprintf(stderr, "usage: %s http://127.0.0.1:PORT/client/v4 | --emulator-config\n", argv[0]);
        return 2;
    }
    g_base = argv[1];
    snprintf(g_dead, sizeof g_dead, "http://127.0.0.1:%d/client/v4", closed_port());
    signal(SIGALRM, on_watchdog);
    alarm(300);  /* the whole run takes seconds, even under valgrind */
    /* Defaults must reach the emulator, never the real API. */
    setenv("CLOUDFLARE_BASE_URL", g_base, 1);
    unsetenv("CLOUDFLARE_API_TOKEN");
    unsetenv("CLOUDFLARE_ACCOUNT_ID");

    test_names_and_nulls();
    test_bad_arguments();
    test_missing_credentials();
    test_setters();
    test_options_beat_env();
    test_parallel();

    return check_summary();
}
