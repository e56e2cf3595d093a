/*
 * Thread stress test for libdeployhook, meant to run under ThreadSanitizer
 * (scripts/sanitize.sh) but correct in any build: many threads trigger at
 * once against the fake Cloudflare API (Tests/fake_api/fake_cloudflare.py).
 *
 * Usage: stress_threads http://127.0.0.1:PORT/client/v4 [THREADS [TRIGGERS]]
 * (default 16 threads x 200 triggers). All threads start together (a
 * barrier), so the library's one-time initialisation races too. Each trigger
 * hits one of four scenarios (ok, not found, rate_limited, html_502, all with
 * max_retries 0) with either
 *   - one options object shared by every thread, only read (even triggers), or
 *   - options the thread creates, sets through every setter, and frees before
 *     reading the result (odd triggers: results outlive their options).
 * Every accessor of every result is read and checked, then the result is
 * freed; each thread's last result is handed to the main thread, which reads
 * and frees it after the join. The fake must have seen exactly one request
 * per trigger. Prints failures as file:line, ends with one line
 * "N passed, N failed" (N counts individual checks), exits non-zero on any
 * failure.
 *
 * Self-checks of a sanitizer setup (they need no server, and must make the
 * sanitizer report, proving it sees into the library):
 *   stress_threads --canary-leak   leaks one result (LeakSanitizer must report it)
 *   stress_threads --canary-race   a thread writes into a result while the library's
 *                                  accessors read it (ThreadSanitizer must report
 *                                  the race, with the library's frames); the bytes
 *                                  written are the ones already there
 */
#define _POSIX_C_SOURCE 200809L

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <sys/socket.h>
#include <unistd.h>

#include "deployhook.h"
#include "check.h"
#include "fake_control.h"

#define OK_UUID "11111111-1111-4111-8111-111111111111"
#define RATE_UUID "55555555-5555-4555-8555-555555555555"
#define HTML502_UUID "77777777-7777-4777-8777-777777777777"
#define UNKNOWN_UUID "12345678-1234-4234-8234-123456789abc"

#define BUILD "182bd5e5-6e1a-4fe4-a799-aa6d9a6ab26e"
#define CREATED "2019-12-27T18:11:19.117Z"
#define BODY_OK                                                               \
    "{\"success\":true,\"errors\":[],\"messages\":[],\"result\":{\"already_exists\":false," \
    "\"build_uuid\":\"" BUILD "\",\"created_on\":\"" CREATED "\",\"status\":\"queued\"}}"
#define ENVELOPE_ERR(code, msg)                                                 \
    "{\"success\":false,\"errors\":[{\"code\":" code ",\"message\":\"" msg \
    "\"}],\"messages\":[],\"result\":null}"
#define HTML_PAGE(title)                                                     \
    "<html><head><title>" title "</title></head><body><center><h1>" title \
    "</h1></center><hr><center>cloudflare</center></body></html>"

/* One scenario of the fake and every accessor's expected value. */
typedef struct {
    const char *name, *hook;
    int code;
    const char *code_name;
    int api, http;
    const char *build_uuid;
    int status;
    int already_exists;
    const char *created_on, *body;
} scenario;

static const scenario SCENARIOS[] = {
    {"ok", OK_UUID, DEPLOYHOOK_OK, "DEPLOYHOOK_OK", 0, 200, BUILD, DEPLOYHOOK_STATUS_QUEUED, 0,
     CREATED, BODY_OK},
    {"not found", UNKNOWN_UUID, DEPLOYHOOK_ERR_NOT_FOUND, "DEPLOYHOOK_ERR_NOT_FOUND", 12000, 404,
     NULL, DEPLOYHOOK_STATUS_UNKNOWN, -1, NULL, ENVELOPE_ERR("12000", "Not found")},
    {"rate limited", RATE_UUID, DEPLOYHOOK_ERR_RATE_LIMITED, "DEPLOYHOOK_ERR_RATE_LIMITED", 12051,
     429, NULL, DEPLOYHOOK_STATUS_UNKNOWN, -1, NULL, ENVELOPE_ERR("12051", "Rate limit exceeded")},
    {"html 502", HTML502_UUID, DEPLOYHOOK_ERR_HTTP, "DEPLOYHOOK_ERR_HTTP", 0, 502, NULL,
     DEPLOYHOOK_STATUS_UNKNOWN, -1, NULL, HTML_PAGE("502 Bad Gateway")},
};
enum { N_SCENARIOS = sizeof SCENARIOS / sizeof SCENARIOS[0] };

static const char *g_base;  /* http://127.0.0.1:PORT/client/v4 */
static int g_port;
static int g_triggers;      /* per thread */
static const deployhook_options *g_shared;
static pthread_barrier_t g_start;
static char g_ca_file[] = "/tmp/stress_threads_ca.XXXXXX";  /* a file holding a PEM marker */

/* ---------- the fake's control endpoints ---------- */

/* How many trigger requests the fake recorded since its last reset; -1 on error. */
static int fake_request_count(void)
{
    char *body = NULL;
    int count = -1;
    if (fake_http(g_port, "GET", "/_fake/requests", &body) == 200 && body != NULL)
        count = fake_count_requests(body);
    free(body);
    return count;
}

/* ---------- checking a result ---------- */

static int is_cf_ray(const char *ray)
{
    size_t i, n;
    if (ray == NULL || (n = strlen(ray)) != 20 || strcmp(ray + 16, "-SJC") != 0)
        return 0;
    for (i = 0; i < 16; i++)
        if (strchr("0123456789abcdef", ray[i]) == NULL)
            return 0;
    return 1;
}

/* Reads and checks every accessor of r (a trigger of s); frees r. */
static void check_result(deployhook_result *r, const scenario *s)
{
    const char *msg;
    if (!CHECK(r != NULL))
        return;
    CHECK_INT(deployhook_error_code(r), s->code);
    CHECK_STR(deployhook_error_name((int)deployhook_error_code(r)), s->code_name);
    CHECK_INT(deployhook_api_error_code(r), s->api);
    CHECK_INT(deployhook_http_status(r), s->http);
    CHECK_STR(deployhook_build_uuid(r), s->build_uuid);
    CHECK_INT(deployhook_build_status(r), s->status);
    CHECK_STR(deployhook_status_name((int)deployhook_build_status(r)),
              s->status == DEPLOYHOOK_STATUS_QUEUED ? "queued" : "unknown");
    CHECK_INT(deployhook_already_exists(r), s->already_exists);
    CHECK_STR(deployhook_created_on(r), s->created_on);
    check_(is_cf_ray(deployhook_cf_ray(r)), __FILE__, __LINE__, "cf_ray \"%s\" is <16 hex>-SJC",
           deployhook_cf_ray(r) ? deployhook_cf_ray(r) : "(null)");
    CHECK_STR(deployhook_response_body(r), s->body);
    CHECK_INT(deployhook_build_outcome(r), DEPLOYHOOK_OUTCOME_NONE);
    CHECK_STR(deployhook_outcome_name((int)deployhook_build_outcome(r)), "none");
    CHECK_STR(deployhook_preview_url(r), NULL);
    CHECK_STR(deployhook_stopped_on(r), NULL);
    msg = deployhook_error_message(r);
    if (s->code == DEPLOYHOOK_OK)
        CHECK_STR(msg, NULL);
    else if (CHECK(msg != NULL && msg[0] != '\0'))
        check_(strstr(msg, s->hook) == NULL, __FILE__, __LINE__, "error message holds the hook: \"%s\"", msg);
    deployhook_free_result(r);
}

/* ---------- the threads ---------- */

static void remove_ca_file(void)
{
    unlink(g_ca_file);
}

/* Writes g_ca_file (removed at exit): a PEM certificate block, which is what the CA setter looks
 * for (the triggers use plain HTTP, so it is never used). 1 on success. */
static int make_ca_file(void)
{
    static const char pem[] = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
    int fd = mkstemp(g_ca_file);
    int ok = fd >= 0 && write(fd, pem, sizeof pem - 1) == (ssize_t)(sizeof pem - 1);
    if (fd >= 0) {
        close(fd);
        atexit(remove_ca_file);
    }
    if (!ok)
        fprintf(stderr, "stress_threads: cannot write %s\n", g_ca_file);
    return ok;
}

/* Options of the thread's own, through every setter (bad values first: refused, nothing changed). */
static deployhook_options *own_options(int thread)
{
    char agent[64];
    deployhook_options *o = deployhook_options_new();
    if (!CHECK(o != NULL))
        return NULL;
    snprintf(agent, sizeof agent, "stress_threads/1.0 (thread %d)", thread);
    CHECK_INT(deployhook_options_set_base_url(o, "ftp://127.0.0.1/client/v4"), DEPLOYHOOK_ERR_INVALID_ARGUMENT);
    CHECK_INT(deployhook_options_set_base_url(o, g_base), DEPLOYHOOK_OK);
    CHECK_INT(deployhook_options_set_timeout_ms(o, 0), DEPLOYHOOK_ERR_INVALID_ARGUMENT);
    CHECK_INT(deployhook_options_set_timeout_ms(o, 20000), DEPLOYHOOK_OK);
    CHECK_INT(deployhook_options_set_connect_timeout_ms(o, -1), DEPLOYHOOK_ERR_INVALID_ARGUMENT);
    CHECK_INT(deployhook_options_set_connect_timeout_ms(o, 10000), DEPLOYHOOK_OK);
    CHECK_INT(deployhook_options_set_max_retries(o, 101), DEPLOYHOOK_ERR_INVALID_ARGUMENT);
    CHECK_INT(deployhook_options_set_max_retries(o, 0), DEPLOYHOOK_OK);
    CHECK_INT(deployhook_options_set_ca_file(o, "/nonexistent/deployhook-ca.pem"), DEPLOYHOOK_ERR_INVALID_ARGUMENT);
    CHECK_INT(deployhook_options_set_ca_file(o, "/dev/null"), DEPLOYHOOK_ERR_INVALID_ARGUMENT);  /* no certificate */
    CHECK_INT(deployhook_options_set_ca_file(o, g_ca_file), DEPLOYHOOK_OK);
    CHECK_INT(deployhook_options_set_ca_file(o, NULL), DEPLOYHOOK_OK);  /* plain HTTP: no CA needed */
    CHECK_INT(deployhook_options_set_user_agent(o, "bad\nagent"), DEPLOYHOOK_ERR_INVALID_ARGUMENT);
    CHECK_INT(deployhook_options_set_user_agent(o, agent), DEPLOYHOOK_OK);
    CHECK_INT(deployhook_options_set_api_token(o, ""), DEPLOYHOOK_ERR_INVALID_ARGUMENT);
    CHECK_INT(deployhook_options_set_api_token(o, "stress-token"), DEPLOYHOOK_OK);
    CHECK_INT(deployhook_options_set_account_id(o, "no spaces"), DEPLOYHOOK_ERR_INVALID_ARGUMENT);
    CHECK_INT(deployhook_options_set_account_id(o, "stress-account"), DEPLOYHOOK_OK);
    CHECK_INT(deployhook_options_set_wait_timeout_ms(o, 0), DEPLOYHOOK_ERR_INVALID_ARGUMENT);
    CHECK_INT(deployhook_options_set_wait_timeout_ms(o, 60000), DEPLOYHOOK_OK);
    return o;
}

typedef struct {
    int index;
    deployhook_result *last;      /* the last trigger's result, for the main thread */
    const scenario *last_scenario;
} worker;

static void *run_worker(void *arg)
{
    worker *w = arg;
    int i;
    pthread_barrier_wait(&g_start);
    for (i = 0; i < g_triggers; i++) {
        const scenario *s = &SCENARIOS[(w->index + i) % N_SCENARIOS];
        deployhook_result *r;
        if (i % 2 == 0) {
            r = deployhook_trigger_with(s->hook, g_shared);
        } else {
            deployhook_options *o = own_options(w->index);
            r = deployhook_trigger_with(s->hook, o);
            deployhook_options_free(o);  /* the result must outlive its options */
        }
        if (i == g_triggers - 1) {
            w->last = r;
            w->last_scenario = s;
        } else {
            check_result(r, s);
        }
    }
    return NULL;
}

/* SIGALRM: a call hung; fail instead of blocking CI. */
static void on_watchdog(int sig)
{
    static const char msg[] = "stress_threads: watchdog fired\n";
    ssize_t ignored = write(STDERR_FILENO, msg, sizeof msg - 1);
    (void)ignored;
    (void)sig;
    _exit(3);
}

/* ---------- sanitizer canaries ---------- */

static deployhook_result *volatile g_sink;

/* Drops the only pointer to a result on purpose, in a frame of its own. */
static void leak_one_result(void)
{
    deployhook_result *r = deployhook_trigger_with("not a deploy hook", NULL);  /* nothing is sent */
    printf("leak canary: %s, never freed\n", deployhook_error_name((int)deployhook_error_code(r)));
    g_sink = r;
    g_sink = NULL;
}

/*
 * The race canary: a race on memory that the library reads with instrumented code. A result
 * handle holds one pointer (Sources/CDeployHook/deployhook_types.h) to a Swift object: a 16-byte
 * header (type, reference count), then the result's fields, all immutable (error kind, API code,
 * HTTP status, ...). This thread reads them through the accessors; then another writes bytes 16
 * to 31 back with the values they already hold (harmless, but writes); then this thread reads
 * them again. The header is never touched. (The canary must race with a read the library makes itself: the toolchain's TSan
 * ignores accesses made inside interceptors such as strlen by default, and Swift's outlined copies
 * of structs are not instrumented, so a race on a hook string or on options would go unseen.)
 */
enum { FIELDS_AT = 16, FIELDS_LEN = 16 };

/* The canary's turn: 0 the library reads, 1 the writer writes, 2 done. Relaxed atomics order the
 * two threads in time without synchronising them (no happens-before), so the race is certain. */
static int g_turn;

static void wait_turn(int turn)
{
    while (__atomic_load_n(&g_turn, __ATOMIC_RELAXED) != turn)
        sched_yield();
}

static void *rewrite_fields(void *arg)
{
    volatile unsigned char *fields = (volatile unsigned char *)*(void **)arg + FIELDS_AT;
    unsigned char same[FIELDS_LEN];
    int j;
    for (j = 0; j < FIELDS_LEN; j++)
        same[j] = fields[j];
    wait_turn(1);
    for (j = 0; j < FIELDS_LEN; j++)
        fields[j] = same[j];
    __atomic_store_n(&g_turn, 2, __ATOMIC_RELAXED);
    return NULL;
}

static int read_fields(const deployhook_result *r)
{
    return deployhook_error_code(r) == DEPLOYHOOK_ERR_INVALID_ARGUMENT && deployhook_api_error_code(r) == 0 &&
           deployhook_http_status(r) == 0;
}

static int race_canary(void)
{
    pthread_t writer;
    int ok;
    deployhook_result *r = deployhook_trigger_with("not a deploy hook", NULL);  /* nothing is sent */
    if (r == NULL || pthread_create(&writer, NULL, rewrite_fields, (void *)r) != 0)
        return 2;
    ok = read_fields(r);
    __atomic_store_n(&g_turn, 1, __ATOMIC_RELAXED);
    wait_turn(2);
    ok = read_fields(r) && ok;
    pthread_join(writer, NULL);
    deployhook_free_result(r);
    printf("race canary: done, values %s\n", ok ? "as expected" : "WRONG");
    return !ok;
}

int main(int argc, char **argv)
{
    int n_threads = 16, i, started = 0;
    pthread_t *threads;
    worker *workers;
    deployhook_options *shared;

    if (argc == 2 && strcmp(argv[1], "--canary-leak") == 0) {
        leak_one_result();
        return 0;
    }
    if (argc == 2 && strcmp(argv[1], "--canary-race") == 0)
        return race_canary();
    if (argc < 2 || argc > 4 || sscanf(argv[1], "http://127.0.0.1:%d/", &g_port) != 1 ||
        (argc > 2 && (n_threads = atoi(argv[2])) < 1) ||
        (g_triggers = argc > 3 ? atoi(argv[3]) : 200) < 1) {
        fprintf(stderr, "usage: %s http://127.0.0.1:PORT/client/v4 [THREADS [TRIGGERS]]\n"
                        "       %s --canary-leak | --canary-race\n", argv[0], argv[0]);
        return 2;
    }
    g_base = argv[1];
    signal(SIGALRM, on_watchdog);
    alarm(900);  /* seconds plainly; a few minutes under ThreadSanitizer on 2 cores */
    /* Nothing may reach the real API, whatever the options say. */
    setenv("CLOUDFLARE_BASE_URL", g_base, 1);
    if (fake_http(g_port, "POST", "/_fake/reset", NULL) != 200) {
        fprintf(stderr, "cannot reset the fake on port %d\n", g_port);
        return 2;
    }
    set_case("stress");
    if (!make_ca_file())
        return 2;

    shared = deployhook_options_new();
    if (!CHECK(shared != NULL))
        return check_summary();
    CHECK_INT(deployhook_options_set_base_url(shared, g_base), DEPLOYHOOK_OK);
    CHECK_INT(deployhook_options_set_max_retries(shared, 0), DEPLOYHOOK_OK);
    CHECK_INT(deployhook_options_set_timeout_ms(shared, 20000), DEPLOYHOOK_OK);
    CHECK_INT(deployhook_options_set_connect_timeout_ms(shared, 10000), DEPLOYHOOK_OK);
    g_shared = shared;

    threads = calloc((size_t)n_threads, sizeof *threads);
    workers = calloc((size_t)n_threads, sizeof *workers);
    if (!CHECK(threads != NULL && workers != NULL) ||
        !CHECK(pthread_barrier_init(&g_start, NULL, (unsigned)n_threads) == 0))
        return check_summary();
    for (i = 0; i < n_threads; i++) {
        workers[i].index = i;
        if (!CHECK(pthread_create(&threads[i], NULL, run_worker, &workers[i]) == 0)) {
            /* The barrier waits for n_threads: without them all, nothing can start. */
            fprintf(stderr, "stress_threads: cannot start thread %d\n", i);
            return check_summary();
        }
        started++;
    }
    for (i = 0; i < started; i++) {
        pthread_join(threads[i], NULL);
        check_result(workers[i].last, workers[i].last_scenario);  /* freed on another thread */
    }
    pthread_barrier_destroy(&g_start);
    deployhook_options_free(shared);

    /* Retries 0: exactly one request per trigger, none lost or repeated. */
    CHECK_INT(fake_request_count(), n_threads * g_triggers);

    free(threads);
    free(workers);
    printf("%d threads x %d triggers\n", n_threads, g_triggers);
    return check_summary();
}
