/*
 * The library under a hostile server and a hostile host (project issues 11 and 13), over real HTTP
 * against the test fake (Tests/fake_api/fake_cloudflare.py, see Tests/fake_api/SCENARIOS.md) and a tiny
 * loopback server of its own:
 *   redaction  no string the library returns (error message, build UUID, created_on, cf-ray, preview
 *              URL, stop time, every callback text) holds a hook of the call in any spelling, or the API
 *              token; deployhook_response_body is the documented exception and is not looked at.
 *              deployhook_wait is given a build UUID, never the hook, so only the token is asked of it;
 *              the tiny server's build prints its hook (five spellings) and token in every field and log
 *              line, so trigger_and_wait's scrubbing of a wait that really runs is seen
 *   deadlines  a wait following an endless slow log ends at its wait timeout; trigger_many ends within
 *              the options' timeout
 *   errors     an unusable trigger answer and an answer about another build are RESPONSE errors; a 2xx
 *              saying x-should-retry: true is final
 *   schema     a stopped build without status, log pages without a cursor, timestamps in seconds and in
 *              milliseconds, the minimal build
 *   stack      triggers and waits on a thread with a 64 KiB stack, JSON nested 100,000 deep included
 *              (HOSTILE_STACK_KIB sets another size: scripts/sanitize.sh's ASan build needs more)
 *   fork       parent and child trigger through the same options after fork(): each gets its own answers
 *   setters    32 threads trigger through one options object while another thread calls every setter
 *
 * Each group runs in a child process of its own, forked from this program's main thread before it has
 * made any library call, so a crash, a hang (a watchdog kills it) or sanitizer or valgrind errors (its
 * exit status) count as a failed check of that group and the other groups still run and report.
 *
 * Usage: test_hostile http://127.0.0.1:PORT/client/v4 [SLACK_MS [GROUP,...]]
 *   SLACK_MS: extra milliseconds allowed on every time limit (valgrind, sanitizers); default 0.
 *   GROUP,...: run only these groups (names as above); default all.
 * Prints failures as file:line, one line per group (checks, time), and ends with "N passed, N failed".
 * Exits 0 when nothing failed, 99 when a group's process exited 99 (valgrind's --error-exitcode), else 1.
 */
#define _GNU_SOURCE
#include "check.h"
#include <deployhook.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fake_control.h"

/* ---- the fake's scenarios and credentials (SCENARIOS.md) ---- */

#define FAKE_TOKEN "fake-api-token-for-builds"
#define FAKE_ACCOUNT "023e105f4ecef8ad9ca31a8372d0c353"

#define OK_HOOK "11111111-1111-4111-8111-111111111111"
#define OK_BUILD "182bd5e5-6e1a-4fe4-a799-aa6d9a6ab26e"
#define GUIDE_HOOK "22222222-2222-4222-8222-222222222222"
#define TRUNCATED_HOOK "99999999-9999-4999-8999-999999999999"
#define SLOW_HOOK "cccccccc-cccc-4ccc-8ccc-cccccccccccc" /* answers after 5 s */
#define UNKNOWN_HOOK "12345678-1234-4234-8234-123456789abc"
#define NON_UTF8_HOOK "fa00000c-0000-4000-8000-00000000000c"
#define DEEP_HOOK "fa00000d-0000-4000-8000-00000000000d"   /* arrays nested 100,000 deep */

#define BUILD_MINIMAL_HOOK "b0000001-0000-4000-8000-000000000001"
#define BUILD_MINIMAL "bd000001-0000-4000-8000-000000000001"
#define BUILD_NO_STATUS "bd000002-0000-4000-8000-000000000002"
#define BUILD_FULL_HOOK "b0000003-0000-4000-8000-000000000003"
#define BUILD_FULL "bd000003-0000-4000-8000-000000000003"
#define NO_CURSOR_TRUNCATED "bd000004-0000-4000-8000-000000000004"
#define NO_CURSOR_COMPLETE "bd000005-0000-4000-8000-000000000005"
#define LOGS_SECONDS "bd000006-0000-4000-8000-000000000006"
#define LOGS_MILLISECONDS "bd000007-0000-4000-8000-000000000007"
#define OTHER_BUILD_HOOK "b000000b-0000-4000-8000-00000000000b"
#define OTHER_BUILD "bd00000b-0000-4000-8000-00000000000b"
#define OTHER_BUILD_ANSWERED "bd0000ff-0000-4000-8000-0000000000ff"
#define SLOW_LOGS "bd00000c-0000-4000-8000-00000000000c"
#define NOT_UUID_HOOK "b000000d-0000-4000-8000-00000000000d"
#define RETRY_2XX_HOOK "b000000e-0000-4000-8000-00000000000e"
#define RETRY_2XX_BUILD "bd00000e-0000-4000-8000-00000000000e"
#define ECHO_HOOK "b000000f-0000-4000-8000-00000000000f"   /* its build UUID is the hook itself */
#define ECHO_HOOK_UPPER "B000000F-0000-4000-8000-00000000000F"

#define LOG_T0 1577470282.0
static const char *const LOG_LINES[] = {"Cloning repository...", "Installing dependencies...",
                                        "Running build command...", "Success: deployed"};

/* ---- the tiny server's hooks, builds and credentials ---- */

#define TINY_TOKEN "tiny-token-Qx7Zr9LmWv"
#define TINY_ACCOUNT "0123456789abcdef0123456789abcdef"
#define TINY_HOOK "7e57a00c-abcd-4ef0-8abc-def012345678"     /* trigger: TINY_BUILD */
#define TINY_ERR_HOOK "7e57e00c-abcd-4ef0-8abc-def0123456e1" /* trigger: TINY_ERR_BUILD */
#define TINY_BUILD "7e570b1d-0000-4000-8000-000000000001"    /* stopped; every field echoes */
#define TINY_ERR_BUILD "7e570b1d-0000-4000-8000-0000000000e1"  /* 400 whose message echoes */
#define TINY_LOG_LINES 7

static const char *g_base;  /* http://127.0.0.1:PORT/client/v4, the fake */
static int g_port;
static double slack_s;      /* extra seconds allowed on every time limit */
static long stack_kib = 64; /* the small stack of the stack group (HOSTILE_STACK_KIB) */

/* ---------- the fake's control endpoints ---------- */

static void fake_reset(void)
{
    CHECK_INT(fake_http(g_port, "POST", "/_fake/reset", NULL), 200);
}

/* The fake's /_fake/requests body (malloc'ed; the caller frees it), or NULL. */
static char *fake_requests(void)
{
    char *body = NULL;
    if (fake_http(g_port, "GET", "/_fake/requests", &body) != 200) {
        free(body);
        return NULL;
    }
    return body;
}

/* How many times needle occurs in hay. */
static int occurrences(const char *hay, const char *needle)
{
    int n = 0;
    const char *p;
    if (hay == NULL)
        return -1;
    for (p = hay; (p = strstr(p, needle)) != NULL; p += strlen(needle))
        n++;
    return n;
}

/* How many requests the fake recorded since its last reset; -1 on error. */
static int fake_request_count(void)
{
    char *body = fake_requests();
    int n = body ? fake_count_requests(body) : -1;
    free(body);
    return n;
}

/* Options for the fake: its base, timeouts, retries and its API credentials. The wait timeout is 10 s
 * (no build here needs more than two polls), so a wait that does not end at once fails its checks
 * instead of hanging its group. */
static deployhook_options *fake_options(long timeout_ms, int retries)
{
    deployhook_options *o = deployhook_options_new();
    CHECK(o != NULL);
    CHECK_INT(deployhook_options_set_base_url(o, g_base), DEPLOYHOOK_OK);
    CHECK_INT(deployhook_options_set_timeout_ms(o, timeout_ms), DEPLOYHOOK_OK);
    CHECK_INT(deployhook_options_set_wait_timeout_ms(o, 10000), DEPLOYHOOK_OK);
    CHECK_INT(deployhook_options_set_max_retries(o, retries), DEPLOYHOOK_OK);
    CHECK_INT(deployhook_options_set_api_token(o, FAKE_TOKEN), DEPLOYHOOK_OK);
    CHECK_INT(deployhook_options_set_account_id(o, FAKE_ACCOUNT), DEPLOYHOOK_OK);
    return o;
}

/* ---------- secrets: what no returned string may hold ---------- */

#define MAX_SECRETS 32
struct secrets {
    int n;
    char text[MAX_SECRETS][1100];
};

/* Adds a hook: dashed and as 32 hex digits (matched in any letter case). */
static void add_hook(struct secrets *s, const char *hook)
{
    size_t i, j = 0;
    if (s->n + 2 > MAX_SECRETS)
        return;
    snprintf(s->text[s->n++], sizeof s->text[0], "%s", hook);
    for (i = 0; hook[i] != '\0' && j + 1 < sizeof s->text[0]; i++)
        if (hook[i] != '-')
            s->text[s->n][j++] = hook[i];
    s->text[s->n++][j] = '\0';
}

static void add_literal(struct secrets *s, const char *literal)
{
    if (s->n < MAX_SECRETS)
        snprintf(s->text[s->n++], sizeof s->text[0], "%s", literal);
}

/* The secret text holds (any letter case), or NULL. */
static const char *leaked(const char *text, const struct secrets *s)
{
    int i;
    if (text == NULL)
        return NULL;
    for (i = 0; i < s->n; i++)
        if (contains_ci(text, s->text[i]))
            return s->text[i];
    return NULL;
}

/* One check per string given: it holds no secret. Returns how many strings were looked at. */
static int check_clean_at(const char *file, int line, const char *what, const char *text, const struct secrets *s)
{
    const char *found;
    if (text == NULL)
        return 0;
    found = leaked(text, s);
    check_(found == NULL, file, line, "%s holds the secret %s: \"%s\"", what, found ? found : "", text);
    return 1;
}
#define CHECK_CLEAN(what, text, s) check_clean_at(__FILE__, __LINE__, what, text, s)

/* Every string a result returns (but its raw body) is clean; returns how many there were. */
static int check_result_clean_at(const char *file, int line, const char *what, const deployhook_result *r,
                                 const struct secrets *s)
{
    char label[160];
    int n = 0;
    CHECK_AT(file, line, r != NULL);
#define ONE(accessor)                                                        \
    snprintf(label, sizeof label, "%s: " #accessor, what);                  \
    n += check_clean_at(file, line, label, accessor(r), s)
    ONE(deployhook_error_message);
    ONE(deployhook_build_uuid);
    ONE(deployhook_created_on);
    ONE(deployhook_cf_ray);
    ONE(deployhook_preview_url);
    ONE(deployhook_stopped_on);
#undef ONE
    return n;
}
#define CHECK_RESULT_CLEAN(what, r, s) check_result_clean_at(__FILE__, __LINE__, what, r, s)

/* ---------- a wait callback that keeps everything it hears ---------- */

#define MAX_EVENTS 512
struct collector {
    int n, overflow;
    struct { int event, status; char *text; double timestamp; } ev[MAX_EVENTS];
};

static void collect(int event, int status, const char *text, double timestamp,
                    void *user_data)
{
    struct collector *c = user_data;
    if (c->n == MAX_EVENTS) {
        c->overflow = 1;
        return;
    }
    c->ev[c->n].event = (int)event;
    c->ev[c->n].status = (int)status;
    c->ev[c->n].text = text ? strdup(text) : NULL;
    c->ev[c->n].timestamp = timestamp;
    c->n++;
}

static void collector_free(struct collector *c)
{
    int i;
    for (i = 0; i < c->n; i++)
        free(c->ev[i].text);
    c->n = 0;
}

static int count_events(const struct collector *c, int event)
{
    int i, n = 0;
    for (i = 0; i < c->n; i++)
        n += c->ev[i].event == event;
    return n;
}

/* Every callback text is clean; returns how many were looked at. */
static int check_events_clean_at(const char *file, int line, const char *what, const struct collector *c,
                                 const struct secrets *s)
{
    char label[160];
    int i, n = 0;
    check_(!c->overflow, file, line, "%s: more than %d callback events", what, MAX_EVENTS);
    for (i = 0; i < c->n; i++) {
        snprintf(label, sizeof label, "%s: callback %s text #%d", what,
                 c->ev[i].event == DEPLOYHOOK_EVENT_LOG ? "LOG" : "STATUS", i);
        n += check_clean_at(file, line, label, c->ev[i].text, s);
    }
    return n;
}
#define CHECK_EVENTS_CLEAN(what, c, s) check_events_clean_at(__FILE__, __LINE__, what, c, s)

/* The LOG events are exactly lines[0..n) (each once, in order), at LOG_T0 + i seconds when timed. */
static void check_log_lines_at(const char *file, int line, const struct collector *c, const char *const *lines,
                               int n, int timed)
{
    int i, k = 0, ok = 1, wrong = 0;
    for (i = 0; i < c->n; i++) {
        if (c->ev[i].event != DEPLOYHOOK_EVENT_LOG)
            continue;
        if (k >= n || c->ev[i].text == NULL || strcmp(c->ev[i].text, lines[k]) != 0 ||
            (timed && c->ev[i].timestamp != LOG_T0 + k)) {
            ok = 0;
            if (wrong++ < 6)  /* the first few are enough to see what went wrong */
                note_(0, file, line, "log line #%d: \"%s\" at %.3f, expected %s%s%s at %.3f", k,
                      c->ev[i].text ? c->ev[i].text : "(null)", c->ev[i].timestamp, k < n ? "\"" : "",
                      k < n ? lines[k] : "no more lines", k < n ? "\"" : "", LOG_T0 + k);
        }
        k++;
    }
    if (wrong > 6)
        note_(0, file, line, "... and %d more wrong log lines", wrong - 6);
    check_(ok && k == n, file, line, "%d log lines reported, expected exactly the %d lines, each once, in order", k, n);
}
#define CHECK_LOG_LINES(c, lines, n, timed) check_log_lines_at(__FILE__, __LINE__, c, lines, n, timed)

/* The last event is STATUS STOPPED and nothing repeats it. */
static void check_ends_stopped_at(const char *file, int line, const struct collector *c)
{
    int last = c->n - 1;
    check_(last >= 0 && c->ev[last].event == DEPLOYHOOK_EVENT_STATUS && c->ev[last].status == DEPLOYHOOK_STATUS_STOPPED,
           file, line, "the last of %d callback events is STATUS stopped", c->n);
}
#define CHECK_ENDS_STOPPED(c) check_ends_stopped_at(__FILE__, __LINE__, c)

/* ---------- small helpers ---------- */

/* Whether pid ended within seconds (its wait status in *status); kills it (SIGKILL) when it did not. */
static int wait_child(pid_t pid, double seconds, int *status)
{
    double until = now_s() + seconds;
    for (;;) {
        pid_t got = waitpid(pid, status, WNOHANG);
        if (got == pid)
            return 1;
        if (got < 0 && errno != EINTR)
            return 0;
        if (now_s() > until) {
            kill(pid, SIGKILL);
            waitpid(pid, status, 0);
            return 0;
        }
        usleep(20 * 1000);
    }
}

/* A delayed-family hook of the fake and the build UUID it answers. */
static void delayed_hook(char *hook, char *build, long serial, int delay_ms)
{
    sprintf(hook, "de1a0000-0000-4000-8000-%08ld%04d", serial, delay_ms);
    sprintf(build, "b11d0000-0000-4000-8000-%08ld%04d", serial, delay_ms);
}

static double elapsed_since(double start) { return now_s() - start; }

static int g_count_fd = -1;  /* in a group's process: where its counts go (run_group) */

/* Writes "CHECKS FAILED\n" to fd with write() only (async-signal-safe). */
static void write_counts(int fd, int checks, int failed)
{
    char text[32], *p = text + sizeof text;
    int values[2], i;
    values[0] = failed;
    values[1] = checks;
    *--p = '\n';
    for (i = 0; i < 2; i++) {
        unsigned v = values[i] < 0 ? 0u : (unsigned)values[i];
        if (i == 1)
            *--p = ' ';
        do
            *--p = (char)('0' + v % 10);
        while ((v /= 10) != 0);
    }
    (void)!write(fd, p, (size_t)(text + sizeof text - p));
}

/* A fatal signal: names the case the process was in and hands over the checks counted so far
 * (async-signal-safe), then dies of the signal. */
static void on_crash(int sig)
{
    static const char msg[] = "test_hostile: fatal signal in case: ";
    ssize_t ignored = write(STDERR_FILENO, msg, sizeof msg - 1);
    ignored += write(STDERR_FILENO, last_case(), strlen(last_case()));
    ignored += write(STDERR_FILENO, "\n", 1);
    (void)ignored;
    if (g_count_fd >= 0)
        write_counts(g_count_fd, n_checks, n_failed);
    signal(sig, SIG_DFL);
    raise(sig);
}

static void *alt_stacks[4];  /* kept reachable: leak checkers would call them lost */
static int n_alt_stacks;

/* Reports fatal signals of the calling thread (on an alternate stack of its own, so a stack overflow is
 * reported too). The stack is never freed: the thread may need it until the process ends. At most four threads. */
static void report_crashes(void)
{
    static const int signals[] = {SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT};
    struct sigaction action;
    stack_t alt, old;
    size_t i;
    /* A thread that has an alternate stack already keeps it (AddressSanitizer gives each thread one,
     * and unmaps it when the thread ends: it must still be its own). */
    if (sigaltstack(NULL, &old) != 0 || (old.ss_flags & SS_DISABLE)) {
        alt.ss_size = 64 * 1024;
        alt.ss_sp = malloc(alt.ss_size);
        alt.ss_flags = 0;
        if (alt.ss_sp == NULL || n_alt_stacks == 4 || sigaltstack(&alt, NULL) != 0) {
            free(alt.ss_sp);
            return;
        }
        alt_stacks[n_alt_stacks++] = alt.ss_sp;
    }
    memset(&action, 0, sizeof action);
    action.sa_handler = on_crash;
    action.sa_flags = SA_ONSTACK;
    sigemptyset(&action.sa_mask);
    for (i = 0; i < sizeof signals / sizeof signals[0]; i++)
        sigaction(signals[i], &action, NULL);
}

/* ================= the tiny server: answers that echo the hook and the token everywhere ================= */

static pthread_mutex_t tiny_lock = PTHREAD_MUTEX_INITIALIZER;
static char tiny_last_hook[64] = TINY_HOOK;  /* the hook last triggered, as sent */
static int tiny_port;

static void write_all(int fd, const char *data, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, data, n);
        if (w <= 0)
            return;
        data += w;
        n -= (size_t)w;
    }
}

static void tiny_reply(int fd, int status, const char *cf_ray, const char *body)
{
    char head[512];
    int n = snprintf(head, sizeof head,
                     "HTTP/1.1 %d %s\r\nContent-Type: application/json\r\ncf-ray: %s\r\nContent-Length: %zu\r\n"
                     "Connection: close\r\n\r\n", status, status == 200 ? "OK" : status == 400 ? "Bad Request" : "Not Found",
                     cf_ray, strlen(body));
    write_all(fd, head, (size_t)n);
    write_all(fd, body, strlen(body));
}

/* The spellings of a hook the server repeats: as sent, upper case, bare, bare upper case, mixed case. */
struct spellings { char sent[64], upper[64], bare[64], bare_upper[64], mixed[64]; };

static void spell(const char *hook, struct spellings *s)
{
    size_t i, j = 0;
    snprintf(s->sent, sizeof s->sent, "%s", hook);
    for (i = 0; hook[i] && i < 63; i++) {
        char c = hook[i];
        s->upper[i] = (char)(c >= 'a' && c <= 'z' ? c - 32 : c);
        if (c != '-') {
            s->bare[j] = c;
            s->bare_upper[j] = s->upper[i];
            s->mixed[j] = j % 2 ? s->upper[i] : c;
            j++;
        }
    }
    s->upper[i] = '\0';
    s->bare[j] = s->bare_upper[j] = s->mixed[j] = '\0';
}

static void *tiny_connection(void *arg)
{
    int fd = (int)(intptr_t)arg;
    char request[8192], method[16], path[1024], token[256] = "", body[8192], ray[128];
    size_t used = 0;
    const char *auth, *build;
    struct spellings h;

    while (used < sizeof request - 1) {  /* the head (the library sends no body) */
        ssize_t got = recv(fd, request + used, sizeof request - 1 - used, 0);
        if (got <= 0)
            break;
        used += (size_t)got;
        request[used] = '\0';
        if (strstr(request, "\r\n\r\n"))
            break;
    }
    request[used] = '\0';
    if (sscanf(request, "%15s %1023s", method, path) != 2) {
        close(fd);
        return NULL;
    }
    auth = strcasestr(request, "\r\nAuthorization: Bearer ");
    if (auth != NULL)
        sscanf(auth + strlen("\r\nAuthorization: Bearer "), "%255[^\r\n]", token);

    if (strstr(path, "/workers/builds/deploy_hooks/") != NULL) {
        const char *hook = strstr(path, "/deploy_hooks/") + strlen("/deploy_hooks/");
        pthread_mutex_lock(&tiny_lock);
        snprintf(tiny_last_hook, sizeof tiny_last_hook, "%.36s", hook);
        spell(tiny_last_hook, &h);
        pthread_mutex_unlock(&tiny_lock);
        snprintf(ray, sizeof ray, "%s-SJC", h.bare_upper);
        snprintf(body, sizeof body,
                 "{\"success\":true,\"errors\":[],\"messages\":[{\"code\":1,\"message\":\"hook %s\"}],"
                 "\"result\":{\"already_exists\":false,\"build_uuid\":\"%s\",\"created_on\":\"%s\",\"status\":\"queued\"}}",
                 h.sent, strncasecmp(hook, TINY_ERR_HOOK, 36) == 0 ? TINY_ERR_BUILD : TINY_BUILD, h.upper);
        tiny_reply(fd, 200, ray, body);
    } else if ((build = strstr(path, "/builds/builds/")) != NULL) {
        build += strlen("/builds/builds/");
        pthread_mutex_lock(&tiny_lock);
        spell(tiny_last_hook, &h);
        pthread_mutex_unlock(&tiny_lock);
        snprintf(ray, sizeof ray, "%s-SJC", h.bare);
        if (strncasecmp(build, TINY_ERR_BUILD, 36) == 0) {
            snprintf(body, sizeof body,
                     "{\"success\":false,\"errors\":[{\"code\":10000,\"message\":\"no access for hook %s (%s, %s) "
                     "with token %s\"}],\"messages\":[\"%s\"],\"result\":null}", h.sent, h.bare_upper, h.mixed, token, h.upper);
            tiny_reply(fd, 400, ray, body);
        } else if (strncasecmp(build, TINY_BUILD, 36) != 0) {
            tiny_reply(fd, 404, ray, "{\"success\":false,\"errors\":[{\"code\":12000,\"message\":\"Not found\"}],"
                                     "\"messages\":[],\"result\":null}");
        } else if (strstr(build, "/logs") != NULL) {
            snprintf(body, sizeof body,
                     "{\"success\":true,\"errors\":[],\"messages\":[\"%s\"],\"result\":{\"lines\":["
                     "[1577470282,\"POST https://api.cloudflare.com/client/v4/workers/builds/deploy_hooks/%s\"],"
                     "[1577470283,\"HOOK %s\"],[1577470284,\"bare %s\"],[1577470285,\"BARE %s\"],"
                     "[1577470286,\"mixed %s\"],[1577470287,\"curl -H 'Authorization: Bearer %s'\"],"
                     "[1577470288,\"Success: deployed\"]],\"truncated\":false}}",
                     h.sent, h.sent, h.upper, h.bare, h.bare_upper, h.mixed, token);
            tiny_reply(fd, 200, ray, body);
        } else {
            snprintf(body, sizeof body,
                     "{\"success\":true,\"errors\":[],\"messages\":[\"%s\"],\"result\":{\"build_uuid\":\"" TINY_BUILD "\","
                     "\"status\":\"stopped\",\"build_outcome\":\"success\",\"created_on\":\"%s\",\"stopped_on\":\"%s\","
                     "\"preview_url\":\"https://%s.my-worker.workers.dev/?token=%s&hook=%s\"}}",
                     h.sent, h.bare, h.mixed, h.bare, token, h.upper);
            tiny_reply(fd, 200, ray, body);
        }
    } else {
        tiny_reply(fd, 404, "0123456789abcdef-SJC", "{\"success\":false,\"errors\":[{\"code\":7003,"
                                                   "\"message\":\"no route\"}],\"messages\":[],\"result\":null}");
    }
    close(fd);
    return NULL;
}

static void *tiny_serve(void *arg)
{
    int listener = (int)(intptr_t)arg;
    for (;;) {
        int fd = accept(listener, NULL, NULL);
        pthread_t thread;
        if (fd < 0)
            continue;
        if (pthread_create(&thread, NULL, tiny_connection, (void *)(intptr_t)fd) == 0)
            pthread_detach(thread);
        else
            close(fd);
    }
    return NULL;
}

/* Starts the tiny server on a loopback port (tiny_port); 0 on success. */
static int tiny_start(void)
{
    struct sockaddr_in address;
    socklen_t length = sizeof address;
    pthread_t thread;
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    memset(&address, 0, sizeof address);
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd < 0 || bind(fd, (struct sockaddr *)&address, sizeof address) != 0 || listen(fd, 64) != 0 ||
        getsockname(fd, (struct sockaddr *)&address, &length) != 0)
        return -1;
    tiny_port = ntohs(address.sin_port);
    if (pthread_create(&thread, NULL, tiny_serve, (void *)(intptr_t)fd) != 0)
        return -1;
    pthread_detach(thread);
    return 0;
}

static deployhook_options *tiny_options(void)
{
    char base[64];
    deployhook_options *o = deployhook_options_new();
    snprintf(base, sizeof base, "http://127.0.0.1:%d/client/v4", tiny_port);
    CHECK_INT(deployhook_options_set_base_url(o, base), DEPLOYHOOK_OK);
    CHECK_INT(deployhook_options_set_timeout_ms(o, 10000), DEPLOYHOOK_OK);
    CHECK_INT(deployhook_options_set_max_retries(o, 0), DEPLOYHOOK_OK);
    CHECK_INT(deployhook_options_set_api_token(o, TINY_TOKEN), DEPLOYHOOK_OK);
    CHECK_INT(deployhook_options_set_account_id(o, TINY_ACCOUNT), DEPLOYHOOK_OK);
    return o;
}

/* ================= 1. redaction (issue 11 item 3) ================= */

static void test_redaction_echo_hook(void)
{
    deployhook_options *o = fake_options(10000, 0);
    struct secrets s = {0};
    struct collector c = {0};
    deployhook_result *r;
    char url[256];
    const char *spellings[3];
    int i, seen = 0;

    add_hook(&s, ECHO_HOOK);
    snprintf(url, sizeof url, "%s/workers/builds/deploy_hooks/%s", g_base, ECHO_HOOK_UPPER);
    spellings[0] = ECHO_HOOK;
    spellings[1] = ECHO_HOOK_UPPER;
    spellings[2] = url;

    for (i = 0; i < 3; i++) {
        char what[64];
        set_case("redaction: echo_hook trigger");
        snprintf(what, sizeof what, "trigger of echo_hook (spelling %d)", i);
        r = deployhook_trigger_with(spellings[i], o);
        seen += CHECK_RESULT_CLEAN(what, r, &s);
        deployhook_free_result(r);

        set_case("redaction: echo_hook trigger_and_wait, following logs");
        snprintf(what, sizeof what, "trigger_and_wait of echo_hook (spelling %d)", i);
        r = deployhook_trigger_and_wait(spellings[i], o, 1, collect, &c);
        seen += CHECK_RESULT_CLEAN(what, r, &s);
        seen += CHECK_EVENTS_CLEAN(what, &c, &s);
        printf("  echo_hook trigger_and_wait (spelling %d): %s, %d callback events\n", i,
               deployhook_error_name(deployhook_error_code(r)), c.n);
        collector_free(&c);
        deployhook_free_result(r);
    }
    set_case("redaction: echo_hook strings were looked at");
    CHECK(seen >= 3);  /* at least an error message or a cf-ray each time */
    deployhook_options_free(o);
}

/* The tiny server echoes the hook (five spellings) and the token into every field, header and log line
 * of a build that the wait does reach: log lines and status texts are really scrubbed, not skipped. */
static void test_redaction_full_wait(void)
{
    deployhook_options *o;
    struct secrets hook_and_token = {0}, token_only = {0};
    struct collector c = {0};
    deployhook_result *r;

    if (tiny_start() != 0) {
        set_case("redaction: tiny server");
        CHECK(!"the tiny server could not start");
        return;
    }
    o = tiny_options();
    add_hook(&hook_and_token, TINY_HOOK);
    add_hook(&hook_and_token, TINY_ERR_HOOK);
    add_literal(&hook_and_token, TINY_TOKEN);
    add_literal(&token_only, TINY_TOKEN);

    set_case("redaction: trigger_and_wait of a build that prints its hook and token");
    r = deployhook_trigger_and_wait(TINY_HOOK, o, 1, collect, &c);
    CHECK_INT(deployhook_error_code(r), DEPLOYHOOK_OK);
    CHECK_INT(deployhook_build_outcome(r), DEPLOYHOOK_OUTCOME_SUCCESS);
    CHECK_STR(deployhook_build_uuid(r), TINY_BUILD);
    CHECK_INT(count_events(&c, DEPLOYHOOK_EVENT_LOG), TINY_LOG_LINES);  /* every line reported */
    CHECK(count_events(&c, DEPLOYHOOK_EVENT_STATUS) >= 1);
    CHECK_RESULT_CLEAN("trigger_and_wait (tiny)", r, &hook_and_token);
    CHECK_EVENTS_CLEAN("trigger_and_wait (tiny)", &c, &hook_and_token);
    collector_free(&c);
    deployhook_free_result(r);

    set_case("redaction: an error while waiting echoes the hook and the token");
    r = deployhook_trigger_and_wait(TINY_ERR_HOOK, o, 1, collect, &c);
    CHECK(deployhook_error_code(r) != DEPLOYHOOK_OK);
    CHECK(deployhook_error_message(r) != NULL);
    CHECK_STR(deployhook_build_uuid(r), TINY_ERR_BUILD);
    CHECK_RESULT_CLEAN("trigger_and_wait, failed wait (tiny)", r, &hook_and_token);
    CHECK_EVENTS_CLEAN("trigger_and_wait, failed wait (tiny)", &c, &hook_and_token);
    collector_free(&c);
    deployhook_free_result(r);

    /* deployhook_wait is given a build UUID only: it cannot know the hook, but it knows the token. */
    set_case("redaction: deployhook_wait scrubs the token");
    r = deployhook_wait(TINY_BUILD, o, 1, collect, &c);
    CHECK_INT(deployhook_error_code(r), DEPLOYHOOK_OK);
    CHECK_INT(count_events(&c, DEPLOYHOOK_EVENT_LOG), TINY_LOG_LINES);
    CHECK_RESULT_CLEAN("wait (tiny)", r, &token_only);
    CHECK_EVENTS_CLEAN("wait (tiny)", &c, &token_only);
    collector_free(&c);
    deployhook_free_result(r);

    set_case("redaction: deployhook_wait's error scrubs the token");
    r = deployhook_wait(TINY_ERR_BUILD, o, 0, collect, &c);
    CHECK(deployhook_error_code(r) != DEPLOYHOOK_OK);
    CHECK_RESULT_CLEAN("wait, failed (tiny)", r, &token_only);
    CHECK_EVENTS_CLEAN("wait, failed (tiny)", &c, &token_only);
    collector_free(&c);
    deployhook_free_result(r);
    deployhook_options_free(o);
}

static void test_redaction_trigger_many(void)
{
    deployhook_options *o = fake_options(10000, 0);
    char hook_a[40], build_a[40], hook_b[40], build_b[40], url[256];
    const char *hooks[9];
    deployhook_result *results[9];
    struct secrets s = {0};
    int i, seen = 0;

    set_case("redaction: trigger_many with echo_hook in the batch");
    delayed_hook(hook_a, build_a, 4242, 30);
    delayed_hook(hook_b, build_b, 4343, 0);
    snprintf(url, sizeof url, "%s/workers/builds/deploy_hooks/%s", g_base, ECHO_HOOK_UPPER);
    hooks[0] = ECHO_HOOK;
    hooks[1] = OK_HOOK;
    hooks[2] = ECHO_HOOK_UPPER;
    hooks[3] = UNKNOWN_HOOK;
    hooks[4] = hook_a;
    hooks[5] = url;
    hooks[6] = "not-a-hook";
    hooks[7] = hook_b;
    hooks[8] = NOT_UUID_HOOK;
    add_hook(&s, ECHO_HOOK);
    add_hook(&s, OK_HOOK);
    add_hook(&s, UNKNOWN_HOOK);
    add_hook(&s, hook_a);
    add_hook(&s, hook_b);
    add_hook(&s, NOT_UUID_HOOK);
    CHECK_INT(deployhook_trigger_many(hooks, 9, o, results), DEPLOYHOOK_OK);
    for (i = 0; i < 9; i++) {
        char what[64];
        snprintf(what, sizeof what, "trigger_many result #%d", i);
        seen += CHECK_RESULT_CLEAN(what, results[i], &s);
    }
    /* The others are what they would be alone: the check above looked at real answers. */
    CHECK_INT(deployhook_error_code(results[1]), DEPLOYHOOK_OK);
    CHECK_STR(deployhook_build_uuid(results[1]), OK_BUILD);
    CHECK_INT(deployhook_error_code(results[3]), DEPLOYHOOK_ERR_NOT_FOUND);
    CHECK_STR(deployhook_build_uuid(results[4]), build_a);
    CHECK_INT(deployhook_error_code(results[6]), DEPLOYHOOK_ERR_INVALID_ARGUMENT);
    CHECK_STR(deployhook_build_uuid(results[7]), build_b);
    CHECK(seen >= 9);
    for (i = 0; i < 9; i++)
        deployhook_free_result(results[i]);
    deployhook_options_free(o);
}

static void group_redaction(void)
{
    test_redaction_echo_hook();
    test_redaction_full_wait();
    test_redaction_trigger_many();
}

/* ================= 2. deadlines (issue 11 items 1 and 2) ================= */

static void test_wait_deadline(void)
{
    deployhook_options *o = fake_options(60000, 2);
    struct collector c = {0};
    deployhook_result *r;
    double start, took;
    int i, k = 0, ordered = 1;

    set_case("deadlines: a wait following an endless slow log, wait timeout 3 s");
    fake_reset();
    CHECK_INT(deployhook_options_set_wait_timeout_ms(o, 3000), DEPLOYHOOK_OK);
    start = now_s();
    r = deployhook_wait(SLOW_LOGS, o, 1, collect, &c);
    took = elapsed_since(start);
    printf("  slow_logs wait, wait timeout 3 s: %s after %.2f s, %d log lines\n",
           deployhook_error_name(deployhook_error_code(r)), took, count_events(&c, DEPLOYHOOK_EVENT_LOG));
    CHECK_INT(deployhook_error_code(r), DEPLOYHOOK_ERR_WAIT_TIMEOUT);
    check_(took <= 3.5 + slack_s, __FILE__, __LINE__, "the wait took %.2f s (at most 3.5)", took);
    check_(took >= 2.9, __FILE__, __LINE__, "the wait ended after %.2f s, before its timeout of 3 s", took);
    for (i = 0; i < c.n; i++) {  /* and no line twice: "line 0", "line 1", ... */
        char want[32];
        if (c.ev[i].event != DEPLOYHOOK_EVENT_LOG)
            continue;
        snprintf(want, sizeof want, "line %d", k++);
        ordered &= c.ev[i].text != NULL && strcmp(c.ev[i].text, want) == 0;
    }
    CHECK(ordered);
    collector_free(&c);
    deployhook_free_result(r);
    deployhook_options_free(o);
}

static void test_trigger_many_deadline(void)
{
    deployhook_options *o = fake_options(2000, 2);
    char hook_a[40], build_a[40], hook_b[40], build_b[40];
    const char *hooks[3];
    deployhook_result *results[3];
    double start, took;
    int i;

    set_case("deadlines: trigger_many of three slow hooks, concurrency 1, timeout 2 s");
    delayed_hook(hook_a, build_a, 7001, 5000);
    delayed_hook(hook_b, build_b, 7002, 5000);
    hooks[0] = SLOW_HOOK;
    hooks[1] = hook_a;
    hooks[2] = hook_b;
    CHECK_INT(deployhook_options_set_max_concurrency(o, 1), DEPLOYHOOK_OK);
    start = now_s();
    CHECK_INT(deployhook_trigger_many(hooks, 3, o, results), DEPLOYHOOK_OK);
    took = elapsed_since(start);
    printf("  trigger_many of 3 slow hooks, concurrency 1, timeout 2 s: %.2f s\n", took);
    check_(took <= 2.5 + slack_s, __FILE__, __LINE__, "trigger_many took %.2f s (at most 2.5)", took);
    for (i = 0; i < 3; i++) {
        CHECK_INT(deployhook_error_code(results[i]), DEPLOYHOOK_ERR_TIMEOUT);
        deployhook_free_result(results[i]);
    }
    deployhook_options_free(o);
}

static void group_deadlines(void)
{
    test_wait_deadline();
    test_trigger_many_deadline();
}

/* ================= 3. honest errors (issue 11 items 9, 11, 12) ================= */

static void test_not_a_uuid(void)
{
    deployhook_options *o = fake_options(10000, 2);
    deployhook_result *r;
    char *requests;

    set_case("errors: a trigger answer whose build_uuid is not a UUID");
    r = deployhook_trigger_with(NOT_UUID_HOOK, o);
    CHECK_INT(deployhook_error_code(r), DEPLOYHOOK_ERR_RESPONSE);
    CHECK(deployhook_build_uuid(r) == NULL);
    deployhook_free_result(r);

    set_case("errors: trigger_and_wait on a build_uuid that is not a UUID follows nothing");
    fake_reset();
    r = deployhook_trigger_and_wait(NOT_UUID_HOOK, o, 1, NULL, NULL);
    CHECK_INT(deployhook_error_code(r), DEPLOYHOOK_ERR_RESPONSE);
    requests = fake_requests();
    CHECK(requests != NULL && occurrences(requests, "\"method\":\"GET\"") == 0);
    free(requests);
    deployhook_free_result(r);
    deployhook_options_free(o);
}

static void test_other_build(void)
{
    deployhook_options *o = fake_options(10000, 2);
    deployhook_result *r;
    double start;

    set_case("errors: waiting on a build, the answer is about another build");
    start = now_s();
    r = deployhook_wait(OTHER_BUILD, o, 0, NULL, NULL);
    CHECK_INT(deployhook_error_code(r), DEPLOYHOOK_ERR_RESPONSE);
    CHECK(deployhook_build_outcome(r) == DEPLOYHOOK_OUTCOME_NONE);
    CHECK(elapsed_since(start) < 1.0 + slack_s);  /* at once, not after polling */
    deployhook_free_result(r);

    set_case("errors: trigger_and_wait, the answer is about another build");
    r = deployhook_trigger_and_wait(OTHER_BUILD_HOOK, o, 0, NULL, NULL);
    CHECK_INT(deployhook_error_code(r), DEPLOYHOOK_ERR_RESPONSE);
    CHECK_STR(deployhook_build_uuid(r), OTHER_BUILD);  /* the build asked about, not the one answered */
    deployhook_free_result(r);
    deployhook_options_free(o);
}

static void test_retry_true_2xx(void)
{
    static const int retries[] = {2, 100};
    int i;
    for (i = 0; i < 2; i++) {
        deployhook_options *o = fake_options(5000, retries[i]);
        deployhook_result *r;
        char *requests;

        set_case(i == 0 ? "errors: a 2xx with x-should-retry: true is final (2 retries)"
                        : "errors: a 2xx with x-should-retry: true is final (100 retries)");
        fake_reset();
        r = deployhook_trigger_with(RETRY_2XX_HOOK, o);
        CHECK_INT(deployhook_error_code(r), DEPLOYHOOK_OK);
        CHECK_STR(deployhook_build_uuid(r), RETRY_2XX_BUILD);
        CHECK_INT(fake_request_count(), 1);
        deployhook_free_result(r);

        /* The same for the build and its logs: one GET each. */
        fake_reset();
        r = deployhook_wait(RETRY_2XX_BUILD, o, 1, NULL, NULL);
        CHECK_INT(deployhook_error_code(r), DEPLOYHOOK_OK);
        requests = fake_requests();
        CHECK_INT(occurrences(requests, RETRY_2XX_BUILD "\""), 1);
        CHECK_INT(occurrences(requests, RETRY_2XX_BUILD "/logs"), 1);
        free(requests);
        deployhook_free_result(r);
        deployhook_options_free(o);
    }
}

static void group_errors(void)
{
    test_not_a_uuid();
    test_other_build();
    test_retry_true_2xx();
}

/* ================= 4. schema robustness (issue 13) ================= */

static void test_no_status(void)
{
    deployhook_options *o = fake_options(10000, 2);
    struct collector c = {0};
    static const char *const lines[] = {"Cloning repository...", "Installing dependencies...",
                                        "Running build command...", "Build failed"};
    int follow;
    for (follow = 0; follow < 2; follow++) {
        deployhook_result *r;
        double start, took;
        set_case(follow ? "schema: a stopped build without status (following logs)"
                        : "schema: a stopped build without status");
        start = now_s();
        r = deployhook_wait(BUILD_NO_STATUS, o, follow, collect, &c);
        took = elapsed_since(start);
        printf("  build_no_status wait%s: %s after %.2f s\n", follow ? " (logs)" : "",
               deployhook_error_name(deployhook_error_code(r)), took);
        CHECK_INT(deployhook_error_code(r), DEPLOYHOOK_OK);
        CHECK_INT(deployhook_build_outcome(r), DEPLOYHOOK_OUTCOME_FAIL);
        CHECK_INT(deployhook_build_status(r), DEPLOYHOOK_STATUS_STOPPED);
        check_(took < 1.0 + slack_s, __FILE__, __LINE__, "the wait took %.2f s (at once: under 1 s; the first poll gap is 2 s)", took);
        CHECK_ENDS_STOPPED(&c);
        if (follow)
            CHECK_LOG_LINES(&c, lines, 4, 1);
        collector_free(&c);
        deployhook_free_result(r);
    }
    deployhook_options_free(o);
}

struct no_cursor_job { const char *build; struct collector c; deployhook_result *r; double took; };

static void *no_cursor_wait(void *arg)
{
    struct no_cursor_job *job = arg;
    deployhook_options *o = fake_options(10000, 2);
    double start = now_s();
    job->r = deployhook_wait(job->build, o, 1, collect, &job->c);
    job->took = elapsed_since(start);
    deployhook_options_free(o);
    return NULL;
}

static void test_no_cursor(void)
{
    struct no_cursor_job *jobs = calloc(2, sizeof *jobs);  /* the collectors are large */
    pthread_t threads[2];
    char *requests;
    int i;

    set_case("schema: log pages without a cursor");
    if (jobs == NULL)
        return;
    jobs[0].build = NO_CURSOR_TRUNCATED;
    jobs[1].build = NO_CURSOR_COMPLETE;
    fake_reset();  /* each build answers running first, then stopped */
    for (i = 0; i < 2; i++)
        pthread_create(&threads[i], NULL, no_cursor_wait, &jobs[i]);
    for (i = 0; i < 2; i++)
        pthread_join(threads[i], NULL);
    requests = fake_requests();
    for (i = 0; i < 2; i++) {
        char build_path[64], logs_path[64];
        int gets, logs;
        set_case(i == 0 ? "schema: log pages without a cursor, truncated: true"
                        : "schema: log pages without a cursor, truncated: false");
        printf("  %s wait: %s after %.2f s, %d log lines\n", i == 0 ? "logs_no_cursor_truncated" : "logs_no_cursor_complete",
               deployhook_error_name(deployhook_error_code(jobs[i].r)), jobs[i].took, count_events(&jobs[i].c, DEPLOYHOOK_EVENT_LOG));
        CHECK_INT(deployhook_error_code(jobs[i].r), DEPLOYHOOK_OK);
        CHECK_INT(deployhook_build_outcome(jobs[i].r), DEPLOYHOOK_OUTCOME_SUCCESS);
        CHECK_LOG_LINES(&jobs[i].c, LOG_LINES, 4, 1);  /* no line twice, none missing */
        CHECK_ENDS_STOPPED(&jobs[i].c);
        /* Paging stops where there is no cursor to follow: one logs page per poll. */
        snprintf(build_path, sizeof build_path, "%s\"", jobs[i].build);
        snprintf(logs_path, sizeof logs_path, "%s/logs", jobs[i].build);
        gets = occurrences(requests, build_path);
        logs = occurrences(requests, logs_path);
        check_(gets >= 2 && logs <= gets, __FILE__, __LINE__, "%d build GETs and %d logs GETs (at most one a poll)", gets, logs);
        collector_free(&jobs[i].c);
        deployhook_free_result(jobs[i].r);
    }
    free(requests);
    free(jobs);
}

static void test_log_units(void)
{
    deployhook_options *o = fake_options(10000, 2);
    struct collector c[2];
    static const char *const builds[] = {LOGS_SECONDS, LOGS_MILLISECONDS};
    static const double want[] = {1577470282.0, 1577470283.5, 1577470284.25};
    static const char *const lines[] = {"first line", "second line", "third line"};
    int i, j;

    memset(c, 0, sizeof c);
    for (i = 0; i < 2; i++) {
        deployhook_result *r;
        int k = 0;
        set_case(i == 0 ? "schema: log timestamps in seconds" : "schema: log timestamps in milliseconds");
        r = deployhook_wait(builds[i], o, 1, collect, &c[i]);
        CHECK_INT(deployhook_error_code(r), DEPLOYHOOK_OK);
        for (j = 0; j < c[i].n; j++) {
            if (c[i].ev[j].event != DEPLOYHOOK_EVENT_LOG)
                continue;
            if (k < 3) {
                CHECK_STR(c[i].ev[j].text, lines[k]);
                check_(c[i].ev[j].timestamp == want[k], __FILE__, __LINE__, "line %d at %.3f, expected %.3f (seconds since 1970)",
                       k, c[i].ev[j].timestamp, want[k]);
            }
            k++;
        }
        CHECK_INT(k, 3);
        deployhook_free_result(r);
    }
    set_case("schema: both units give the same timestamps");
    for (i = j = 0; i < c[0].n && j < c[1].n; i++, j++)
        CHECK(c[0].ev[i].timestamp == c[1].ev[j].timestamp);
    CHECK_INT(c[0].n, c[1].n);
    collector_free(&c[0]);
    collector_free(&c[1]);
    deployhook_options_free(o);
}

static void test_build_minimal(void)
{
    deployhook_options *o = fake_options(10000, 2);
    struct collector c = {0};
    deployhook_result *r;
    double start = now_s(), took;

    set_case("schema: the minimal build (trigger {build_uuid}, build {build_outcome}, logs {lines})");
    r = deployhook_trigger_and_wait(BUILD_MINIMAL_HOOK, o, 1, collect, &c);
    took = elapsed_since(start);
    CHECK_INT(deployhook_error_code(r), DEPLOYHOOK_OK);
    CHECK_STR(deployhook_build_uuid(r), BUILD_MINIMAL);
    CHECK_INT(deployhook_build_outcome(r), DEPLOYHOOK_OUTCOME_SUCCESS);
    CHECK_INT(deployhook_build_status(r), DEPLOYHOOK_STATUS_STOPPED);
    CHECK_INT(deployhook_already_exists(r), -1);
    CHECK(deployhook_stopped_on(r) == NULL);
    CHECK(deployhook_preview_url(r) == NULL);
    CHECK_LOG_LINES(&c, LOG_LINES, 4, 1);
    CHECK_ENDS_STOPPED(&c);
    check_(took < 1.0 + slack_s, __FILE__, __LINE__, "took %.2f s (at once: under 1 s)", took);
    collector_free(&c);
    deployhook_free_result(r);

    set_case("schema: deployhook_wait on the minimal build");
    r = deployhook_wait(BUILD_MINIMAL, o, 0, NULL, NULL);
    CHECK_INT(deployhook_error_code(r), DEPLOYHOOK_OK);
    CHECK_STR(deployhook_build_uuid(r), BUILD_MINIMAL);
    CHECK_INT(deployhook_build_outcome(r), DEPLOYHOOK_OUTCOME_SUCCESS);
    deployhook_free_result(r);
    deployhook_options_free(o);
}

static void group_schema(void)
{
    test_no_status();
    test_no_cursor();
    test_log_units();
    test_build_minimal();
}

/* ================= 5. host safety (issue 11 items 6, 7, 8) ================= */

/* Item 6: everything below runs on a thread whose stack is 64 KiB; the deepest answer comes last, so
 * what ran before it has reported even if it crashes the process. */
static void *small_stack_job(void *arg)
{
    static const struct { const char *hook; int code; } triggers[] = {
        {OK_HOOK, DEPLOYHOOK_OK}, {GUIDE_HOOK, DEPLOYHOOK_OK}, {UNKNOWN_HOOK, DEPLOYHOOK_ERR_NOT_FOUND},
        {NON_UTF8_HOOK, DEPLOYHOOK_ERR_RESPONSE}, {TRUNCATED_HOOK, DEPLOYHOOK_ERR_RESPONSE},
        {ECHO_HOOK, -1},  /* any outcome, but no crash */
        {DEEP_HOOK, DEPLOYHOOK_ERR_RESPONSE},  /* JSON nested 100,000 deep */
    };
    const char *many[] = {OK_HOOK, DEEP_HOOK, GUIDE_HOOK};
    deployhook_result *results[3];
    deployhook_options *o = fake_options(10000, 0);
    struct collector *c = calloc(1, sizeof *c);  /* not on the small stack */
    deployhook_result *r;
    size_t i;
    static char name[96];  /* named in failure messages after this thread has ended */
    (void)arg;

    report_crashes();  /* this thread's own alternate stack */
    set_case("stack: waits on a small stack");
    if (c != NULL) {
        r = deployhook_trigger_and_wait(BUILD_FULL_HOOK, o, 1, collect, c);  /* three log pages */
        CHECK_INT(deployhook_error_code(r), DEPLOYHOOK_OK);
        CHECK_STR(deployhook_build_uuid(r), BUILD_FULL);
        CHECK_INT(count_events(c, DEPLOYHOOK_EVENT_LOG), 6);
        CHECK(deployhook_preview_url(r) != NULL);
        collector_free(c);
        deployhook_free_result(r);
        r = deployhook_wait(BUILD_NO_STATUS, o, 1, collect, c);
        CHECK_INT(deployhook_error_code(r), DEPLOYHOOK_OK);
        CHECK_INT(deployhook_build_outcome(r), DEPLOYHOOK_OUTCOME_FAIL);
        collector_free(c);
        deployhook_free_result(r);
        free(c);
    }
    for (i = 0; i < sizeof triggers / sizeof triggers[0]; i++) {
        snprintf(name, sizeof name, "stack: trigger of %s on a small stack", triggers[i].hook);
        set_case(name);
        r = deployhook_trigger_with(triggers[i].hook, o);
        if ((int)triggers[i].code >= 0)
            check_(deployhook_error_code(r) == triggers[i].code, __FILE__, __LINE__, "trigger of %s: %s, expected %s",
                   triggers[i].hook, deployhook_error_name(deployhook_error_code(r)), deployhook_error_name(triggers[i].code));
        deployhook_free_result(r);
    }
    set_case("stack: trigger_many with deep nesting on a small stack");
    CHECK_INT(deployhook_trigger_many(many, 3, o, results), DEPLOYHOOK_OK);
    CHECK_INT(deployhook_error_code(results[0]), DEPLOYHOOK_OK);
    CHECK_INT(deployhook_error_code(results[1]), DEPLOYHOOK_ERR_RESPONSE);
    CHECK_INT(deployhook_error_code(results[2]), DEPLOYHOOK_OK);
    for (i = 0; i < 3; i++)
        deployhook_free_result(results[i]);
    deployhook_options_free(o);
    return NULL;
}

static void group_stack(void)
{
    pthread_attr_t attr;
    pthread_t thread;
    int made;
    static char name[64];
    snprintf(name, sizeof name, "stack: a thread with a %ld KiB stack", stack_kib);
    set_case(name);
    printf("  stack group: a thread with a %ld KiB stack\n", stack_kib);
    pthread_attr_init(&attr);
    CHECK_INT(pthread_attr_setstacksize(&attr, (size_t)stack_kib * 1024), 0);
    made = pthread_create(&thread, &attr, small_stack_job, NULL);
    CHECK_INT(made, 0);
    if (made == 0)
        pthread_join(thread, NULL);
    pthread_attr_destroy(&attr);
}

/* Item 7: triggers through the same options in the parent and in a child after fork(). */
#define FORK_TRIGGERS 20

/* Triggers FORK_TRIGGERS delayed hooks of serial base + i; returns how many answers were wrong (not
 * DEPLOYHOOK_OK with this process's own build UUID). Prints each wrong one. */
static int trigger_own(const deployhook_options *o, long base, const char *who)
{
    int i, bad = 0;
    for (i = 0; i < FORK_TRIGGERS; i++) {
        char hook[40], build[40];
        deployhook_result *r;
        delayed_hook(hook, build, base + i, 20 + (i * 7) % 40);
        r = deployhook_trigger_with(hook, o);
        if (deployhook_error_code(r) != DEPLOYHOOK_OK || deployhook_build_uuid(r) == NULL ||
            strcmp(deployhook_build_uuid(r), build) != 0) {
            fprintf(stderr, "  fork: %s trigger #%d: %s, build %s, expected %s\n", who, i,
                    deployhook_error_name(deployhook_error_code(r)),
                    deployhook_build_uuid(r) ? deployhook_build_uuid(r) : "(null)", build);
            bad++;
        }
        deployhook_free_result(r);
    }
    return bad;
}

static void group_fork(void)
{
    deployhook_options *o = fake_options(10000, 0);
    deployhook_result *r;
    pid_t pid;
    int i, status = 0, ended, bad;

    set_case("fork: triggers before the fork open a pooled connection");
    for (i = 0; i < 3; i++) {
        r = deployhook_trigger_with(OK_HOOK, o);
        CHECK_INT(deployhook_error_code(r), DEPLOYHOOK_OK);
        deployhook_free_result(r);
    }
    fflush(stdout);
    fflush(stderr);
    pid = fork();
    if (pid == 0) {
        bad = trigger_own(o, 20000000, "child");
        fflush(stderr);
        _exit(bad);  /* the child reports through its exit status: at most FORK_TRIGGERS, never 99 */
    }
    set_case("fork: parent and child trigger through the same options");
    CHECK(pid > 0);
    bad = trigger_own(o, 10000000, "parent");
    check_(bad == 0, __FILE__, __LINE__, "%d of the parent's %d answers were not its own", bad, FORK_TRIGGERS);
    if (pid > 0) {
        ended = wait_child(pid, 60 + 10 * slack_s, &status);
        check_(ended, __FILE__, __LINE__, "the child did not end within 60 s (killed)");
        if (ended) {
            check_(WIFEXITED(status), __FILE__, __LINE__, "the child was killed by signal %d",
                   WIFSIGNALED(status) ? WTERMSIG(status) : 0);
            if (WIFEXITED(status) && WEXITSTATUS(status) == 99)
                check_(0, __FILE__, __LINE__, "the child exited 99: valgrind found errors in it (see its log)");
            else
                check_(WIFEXITED(status) && WEXITSTATUS(status) == 0, __FILE__, __LINE__,
                       "%d of the child's %d answers were not its own (its exit status)",
                       WIFEXITED(status) ? WEXITSTATUS(status) : -1, FORK_TRIGGERS);
        }
    }
    set_case("fork: the parent's options still work after the child is gone");
    bad = trigger_own(o, 30000000, "parent, after");
    check_(bad == 0, __FILE__, __LINE__, "%d of the parent's %d later answers were not its own", bad, FORK_TRIGGERS);
    deployhook_options_free(o);
}

/* Item 8: 32 threads trigger through one options object while another calls every setter. */
#define SETTER_THREADS 32
#define SETTER_SECONDS 3.0

struct setters_shared {
    deployhook_options *o;
    int stop;  /* atomic */
    char ca_file[64];
};

struct trigger_job {
    struct setters_shared *shared;
    int index, triggers, bad;
};

static void *trigger_while_set(void *arg)
{
    struct trigger_job *job = arg;
    while (!__atomic_load_n(&job->shared->stop, __ATOMIC_ACQUIRE)) {
        char hook[40], build[40];
        deployhook_result *r;
        delayed_hook(hook, build, (long)job->index * 1000000 + job->triggers, job->triggers % 5);
        r = deployhook_trigger_with(hook, job->shared->o);
        if (r == NULL || deployhook_error_code(r) != DEPLOYHOOK_OK || deployhook_build_uuid(r) == NULL ||
            strcmp(deployhook_build_uuid(r), build) != 0 || deployhook_build_status(r) != DEPLOYHOOK_STATUS_QUEUED ||
            deployhook_already_exists(r) != 0 || deployhook_http_status(r) != 200) {
            if (job->bad++ < 3)
                note_(0, __FILE__, __LINE__, "thread %d trigger #%d: %s (%s), build %s, expected %s", job->index, job->triggers,
                      deployhook_error_name(deployhook_error_code(r)),
                      deployhook_error_message(r) ? deployhook_error_message(r) : "",
                      deployhook_build_uuid(r) ? deployhook_build_uuid(r) : "(null)", build);
        }
        deployhook_free_result(r);
        job->triggers++;
    }
    return NULL;
}

static void *call_every_setter(void *arg)
{
    struct setters_shared *shared = arg;
    static char long_agent[1025];
    long rounds = 0;
    int failed = 0;
    memset(long_agent, 'u', 1024);
    while (!__atomic_load_n(&shared->stop, __ATOMIC_ACQUIRE)) {
        int odd = (int)(rounds % 2), third = (int)(rounds % 3);
        deployhook_options *o = shared->o;
        failed |= deployhook_options_set_base_url(o, third == 2 ? NULL : g_base) != DEPLOYHOOK_OK;  /* NULL: the env's, the fake */
        failed |= deployhook_options_set_timeout_ms(o, odd ? 30000 : 60000) != DEPLOYHOOK_OK;
        failed |= deployhook_options_set_connect_timeout_ms(o, odd ? 5000 : 10000) != DEPLOYHOOK_OK;
        failed |= deployhook_options_set_max_retries(o, third) != DEPLOYHOOK_OK;
        failed |= deployhook_options_set_max_concurrency(o, odd ? 1 : 256) != DEPLOYHOOK_OK;
        failed |= deployhook_options_set_ca_file(o, odd ? shared->ca_file : NULL) != DEPLOYHOOK_OK;
        failed |= deployhook_options_set_user_agent(o, third == 0 ? "hostile-setter/1.0" : third == 1 ? long_agent : NULL) != DEPLOYHOOK_OK;
        failed |= deployhook_options_set_api_token(o, odd ? "setter-token-one" : NULL) != DEPLOYHOOK_OK;
        failed |= deployhook_options_set_account_id(o, odd ? "setter_account-1" : NULL) != DEPLOYHOOK_OK;
        failed |= deployhook_options_set_wait_timeout_ms(o, odd ? 1000 : 1500000) != DEPLOYHOOK_OK;
        rounds++;
    }
    CHECK(!failed);  /* every setter accepted every valid value */
    printf("  setters: %ld rounds of every setter\n", rounds);
    return NULL;
}

static void group_setters(void)
{
    static const char pem[] = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
    struct setters_shared shared;
    struct trigger_job jobs[SETTER_THREADS];
    pthread_t threads[SETTER_THREADS], setter;
    int i, fd, total = 0, bad = 0;

    set_case("setters: 32 threads trigger while another calls every setter");
    memset(&shared, 0, sizeof shared);
    snprintf(shared.ca_file, sizeof shared.ca_file, "/tmp/test_hostile_ca.XXXXXX");
    fd = mkstemp(shared.ca_file);
    CHECK(fd >= 0 && write(fd, pem, sizeof pem - 1) == (ssize_t)(sizeof pem - 1));
    if (fd >= 0)
        close(fd);
    shared.o = fake_options(30000, 2);
    for (i = 0; i < SETTER_THREADS; i++) {
        jobs[i].shared = &shared;
        jobs[i].index = i + 1;
        jobs[i].triggers = jobs[i].bad = 0;
        pthread_create(&threads[i], NULL, trigger_while_set, &jobs[i]);
    }
    pthread_create(&setter, NULL, call_every_setter, &shared);
    usleep((useconds_t)(SETTER_SECONDS * 1e6));
    __atomic_store_n(&shared.stop, 1, __ATOMIC_RELEASE);
    pthread_join(setter, NULL);
    for (i = 0; i < SETTER_THREADS; i++) {
        pthread_join(threads[i], NULL);
        total += jobs[i].triggers;
        bad += jobs[i].bad;
        check_(jobs[i].triggers > 0, __FILE__, __LINE__, "thread %d made no trigger", jobs[i].index);
    }
    printf("  setters: %d triggers by %d threads, %d invalid\n", total, SETTER_THREADS, bad);
    check_(bad == 0, __FILE__, __LINE__, "%d of %d results were not valid", bad, total);
    deployhook_options_free(shared.o);
    unlink(shared.ca_file);
}

/* ================= running each group in a process of its own ================= */

static const struct group {
    const char *name;
    void (*run)(void);
} GROUPS[] = {
    {"redaction", group_redaction}, {"deadlines", group_deadlines}, {"errors", group_errors},
    {"schema", group_schema},       {"stack", group_stack},         {"fork", group_fork},
    {"setters", group_setters},
};

static int wanted(const char *list, const char *name)
{
    size_t n = strlen(name);
    const char *p;
    if (list == NULL)
        return 1;
    for (p = list; (p = strstr(p, name)) != NULL; p += n)
        if ((p == list || p[-1] == ',') && (p[n] == '\0' || p[n] == ','))
            return 1;
    return 0;
}

/* Runs a group in a child process; adds its checks to this process's counts. Returns the child's exit
 * status, or -1 when it did not exit normally. */
static int run_group(const struct group *g, double limit_s)
{
    int fds[2], checks = 0, failed = 0, status = 0, ended, got = 0;
    double start = now_s();
    char counts[64] = "";
    pid_t pid;

    fflush(stdout);
    fflush(stderr);
    if (pipe(fds) != 0) {
        perror("pipe");
        return -1;
    }
    pid = fork();
    if (pid == 0) {
        close(fds[0]);
        n_checks = n_failed = 0;  /* this process counts its own checks */
        g_count_fd = fds[1];
        report_crashes();
        set_case(g->name);
        g->run();
        pthread_mutex_lock(&check_lock);
        write_counts(fds[1], n_checks, n_failed);
        g_count_fd = -1;
        pthread_mutex_unlock(&check_lock);
        close(fds[1]);
        fflush(stdout);
        fflush(stderr);
        exit(0);
    }
    close(fds[1]);
    set_case(g->name);
    ended = pid > 0 && wait_child(pid, limit_s, &status);
    if (pid > 0) {
        ssize_t n = read(fds[0], counts, sizeof counts - 1);
        if (n > 0) {
            counts[n] = '\0';
            got = sscanf(counts, "%d %d", &checks, &failed) == 2;
        }
    }
    close(fds[0]);
    pthread_mutex_lock(&check_lock);
    n_checks += checks;
    n_failed += failed;
    pthread_mutex_unlock(&check_lock);
    if (!ended)
        check_(0, __FILE__, __LINE__, "group %s hung: killed after %.0f s", g->name, limit_s);
    else if (WIFSIGNALED(status))
        check_(0, __FILE__, __LINE__, "group %s crashed: killed by signal %d (%s)", g->name, WTERMSIG(status),
               strsignal(WTERMSIG(status)));
    else
        check_(WEXITSTATUS(status) == 0 && got, __FILE__, __LINE__, "group %s: exit status %d%s", g->name,
               WEXITSTATUS(status), got ? "" : ", no counts");
    printf("group %-10s %3d checks, %d failed, %.2f s\n", g->name, checks, failed, elapsed_since(start));
    return ended && WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

int main(int argc, char **argv)
{
    const char *only = argc > 3 ? argv[3] : NULL;
    size_t i;
    int valgrind_errors = 0;

    if (argc < 2 || sscanf(argv[1], "http://127.0.0.1:%d/", &g_port) != 1) {
        fprintf(stderr, "usage: %s http://127.0.0.1:PORT/client/v4 [SLACK_MS [GROUP,...]]\n", argv[0]);
        return 2;
    }
    g_base = argv[1];
    slack_s = argc > 2 ? atof(argv[2]) / 1000 : 0;
    if (getenv("HOSTILE_STACK_KIB") != NULL)
        stack_kib = atol(getenv("HOSTILE_STACK_KIB"));
    setenv("CLOUDFLARE_BASE_URL", g_base, 1);  /* defaults must reach the fake, never the real API */
    unsetenv("CLOUDFLARE_API_TOKEN");
    unsetenv("CLOUDFLARE_ACCOUNT_ID");
    signal(SIGPIPE, SIG_IGN);

    for (i = 0; i < sizeof GROUPS / sizeof GROUPS[0]; i++)
        if (wanted(only, GROUPS[i].name) && run_group(&GROUPS[i], 90 + 60 * slack_s) == 99)
            valgrind_errors = 1;
    printf("%d passed, %d failed\n", n_checks - n_failed, n_failed);
    return valgrind_errors ? 99 : n_failed == 0 ? 0 : 1;
}
