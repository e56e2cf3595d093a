/*
 * C ABI test for libdeployhook: drives every exported function over real HTTP
 * against the fake Cloudflare API (Tests/fake_api/fake_cloudflare.py).
 *
 * Usage: test_deployhook http://127.0.0.1:PORT/client/v4
 * Prints failures as file:line, ends with one line "N passed, N failed"
 * (N counts individual checks) and exits non-zero on any failure.
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
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "deployhook.h"
#include "check.h"
#include "fake_control.h"


/* ---------- the fake and its control endpoints ---------- */

static const char *g_base;  /* http://127.0.0.1:PORT/client/v4 */
static int g_port;
static char g_fake_body[1 << 16];  /* body of the last control call */

/* Calls a control endpoint of the fake; its body lands in g_fake_body. Returns the status. */
static int fake_call(const char *method, const char *path)
{
    char *body = NULL;
    int status = fake_http(g_port, method, path, &body);
    snprintf(g_fake_body, sizeof g_fake_body, "%s", body != NULL ? body : "");
    free(body);
    return status;
}

static void fake_reset(void)
{
    if (fake_call("POST", "/_fake/reset") != 200) {
        fprintf(stderr, "cannot reset the fake on port %d\n", g_port);
        exit(2);
    }
}

/* Fetches the recorded requests into g_fake_body; returns how many. */
static int fake_requests(void)
{
    if (fake_call("GET", "/_fake/requests") != 200)
        return -1;
    return fake_count_requests(g_fake_body);
}

/* Copies header `name` of the first recorded request in g_fake_body; 0 if absent. */
static int recorded_header(const char *name, char *out, size_t cap)
{
    char key[64];
    const char *p = strstr(g_fake_body, "\"headers\":{"), *end;
    size_t n;
    if (p == NULL)
        return 0;
    end = strchr(p, '}');
    snprintf(key, sizeof key, "\"%s\":\"", name);
    p = strstr(p, key);
    if (p == NULL || p > end)
        return 0;
    p += strlen(key);
    n = strcspn(p, "\"");
    if (n >= cap)
        n = cap - 1;
    memcpy(out, p, n);
    out[n] = '\0';
    return 1;
}

#define CHECK_REQUESTS(want) CHECK_INT(fake_requests(), want)

/* A figure of /_fake/stats ("connections", "in_flight", "max_in_flight"); -1 when absent. */
static int fake_stat(const char *name)
{
    char key[64];
    const char *p;
    snprintf(key, sizeof key, "\"%s\":", name);
    if (fake_call("GET", "/_fake/stats") != 200 || (p = strstr(g_fake_body, key)) == NULL)
        return -1;
    return atoi(p + strlen(key));
}

/* How many distinct connections carried the requests recorded since the last reset (-1: unknown). */
static int recorded_connections(void)
{
    enum { MAX = 256 };
    int seen[MAX], count = 0, i, id;
    const char *p = g_fake_body;
    if (fake_requests() < 0)
        return -1;
    while ((p = strstr(p, "\"connection\":")) != NULL) {
        p += strlen("\"connection\":");
        id = atoi(p);
        for (i = 0; i < count && seen[i] != id; i++)
            ;
        if (i == count && count < MAX)
            seen[count++] = id;
    }
    return count;
}

/* ---------- expected results ---------- */

#define OK_UUID "11111111-1111-4111-8111-111111111111"
#define GUIDE_UUID "22222222-2222-4222-8222-222222222222"
#define EXISTS_UUID "33333333-3333-4333-8333-333333333333"
#define PAUSED_UUID "44444444-4444-4444-8444-444444444444"
#define RATE_UUID "55555555-5555-4555-8555-555555555555"
#define FLAKY_UUID "66666666-6666-4666-8666-666666666666"
#define HTML502_UUID "77777777-7777-4777-8777-777777777777"
#define APIERR_UUID "88888888-8888-4888-8888-888888888888"
#define TRUNC_UUID "99999999-9999-4999-8999-999999999999"
#define HUGE_UUID "aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa"
#define DROP_UUID "bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb"
#define SLOW_UUID "cccccccc-cccc-4ccc-8ccc-cccccccccccc"
#define REDIRECT_UUID "dddddddd-dddd-4ddd-8ddd-dddddddddddd"
#define SFALSE_UUID "eeeeeeee-eeee-4eee-8eee-eeeeeeeeeeee"
#define NORETRY_UUID "ffffffff-ffff-4fff-8fff-ffffffffffff"
#define UNKNOWN_UUID "12345678-1234-4234-8234-123456789abc"

#define BUILD "182bd5e5-6e1a-4fe4-a799-aa6d9a6ab26e"
#define CREATED "2019-12-27T18:11:19.117Z"
#define RESULT_FIELDS(exists, status)                                          \
    "{\"already_exists\":" exists ",\"build_uuid\":\"" BUILD "\",\"created_on\":\"" \
    CREATED "\",\"status\":\"" status "\"}"
#define ENVELOPE_OK(result) \
    "{\"success\":true,\"errors\":[],\"messages\":[],\"result\":" result "}"
#define ENVELOPE_ERR(code, msg)                                                 \
    "{\"success\":false,\"errors\":[{\"code\":" code ",\"message\":\"" msg \
    "\"}],\"messages\":[],\"result\":null}"
#define HTML_PAGE(title)                                                     \
    "<html><head><title>" title "</title></head><body><center><h1>" title \
    "</h1></center><hr><center>cloudflare</center></body></html>"

#define BODY_OK ENVELOPE_OK(RESULT_FIELDS("false", "queued"))

/* expect.body: an exact string, NULL, or this (at most 1 MiB, else not checked). */
static const char BODY_ANY[] = "<any>";

/* What each accessor of a result must return. */
typedef struct {
    int code;
    int api, http;
    const char *build_uuid;
    int status;
    int already_exists;
    const char *created_on;
    const char *body;
    int has_ray;  /* 1: a "<16 hex>-SJC" cf-ray; 0: NULL */
} expect;

/* An error where no response was received. */
static expect no_response(int code)
{
    expect e = {DEPLOYHOOK_OK, 0, 0, NULL, DEPLOYHOOK_STATUS_UNKNOWN, -1, NULL, NULL, 0};
    e.code = code;
    return e;
}

/* An error answer from the fake: no result fields, a cf-ray, the given body. */
static expect answered(int code, int api, int http, const char *body)
{
    expect e = {DEPLOYHOOK_OK, 0, 0, NULL, DEPLOYHOOK_STATUS_UNKNOWN, -1, NULL, NULL, 1};
    e.code = code;
    e.api = api;
    e.http = http;
    e.body = body;
    return e;
}

static const char *const ERROR_NAMES[] = {
    "DEPLOYHOOK_OK", "DEPLOYHOOK_ERR_INVALID_ARGUMENT", "DEPLOYHOOK_ERR_NOT_FOUND",
    "DEPLOYHOOK_ERR_RATE_LIMITED", "DEPLOYHOOK_ERR_API", "DEPLOYHOOK_ERR_HTTP",
    "DEPLOYHOOK_ERR_NETWORK", "DEPLOYHOOK_ERR_TIMEOUT", "DEPLOYHOOK_ERR_TLS",
    "DEPLOYHOOK_ERR_RESPONSE", "DEPLOYHOOK_ERR_INTERNAL", "DEPLOYHOOK_ERR_WAIT_TIMEOUT", "DEPLOYHOOK_ERR_CANCELLED", "DEPLOYHOOK_ERR_NO_CREDENTIALS",
};

static int is_cf_ray(const char *ray)
{
    size_t i;
    if (ray == NULL || strlen(ray) != 20 || !ends_with(ray, "-SJC"))
        return 0;
    for (i = 0; i < 16; i++)
        if (strchr("0123456789abcdef", ray[i]) == NULL)
            return 0;
    return 1;
}

/*
 * Checks every accessor of r against e, and that the error message (if any)
 * does not contain `secret` in any letter case. Frees r.
 */
static void expect_result_(const char *file, int line, deployhook_result *r,
                           expect e, const char *secret)
{
    const char *msg, *body;
    if (!CHECK_AT(file, line, r != NULL))
        return;
    CHECK_INT_AT(file, line, deployhook_error_code(r), e.code);
    CHECK_STR_AT(file, line, deployhook_error_name(deployhook_error_code(r)), ERROR_NAMES[e.code]);
    CHECK_INT_AT(file, line, deployhook_api_error_code(r), e.api);
    CHECK_INT_AT(file, line, deployhook_http_status(r), e.http);
    CHECK_STR_AT(file, line, deployhook_build_uuid(r), e.build_uuid);
    CHECK_INT_AT(file, line, deployhook_build_status(r), e.status);
    CHECK_INT_AT(file, line, deployhook_already_exists(r), e.already_exists);
    CHECK_STR_AT(file, line, deployhook_created_on(r), e.created_on);
    if (e.has_ray)
        check_(is_cf_ray(deployhook_cf_ray(r)), file, line, "cf_ray \"%s\" is <16 hex>-SJC",
               deployhook_cf_ray(r) ? deployhook_cf_ray(r) : "(null)");
    else
        CHECK_STR_AT(file, line, deployhook_cf_ray(r), NULL);
    body = deployhook_response_body(r);
    if (e.body == BODY_ANY)
        CHECK_AT(file, line, body == NULL || strlen(body) <= 1024 * 1024);
    else
        CHECK_STR_AT(file, line, deployhook_response_body(r), e.body);
    msg = deployhook_error_message(r);
    if (e.code == DEPLOYHOOK_OK) {
        CHECK_STR_AT(file, line, msg, NULL);
    } else if (CHECK_AT(file, line, msg != NULL && msg[0] != '\0')) {
        check_(secret == NULL || !contains_ci(msg, secret), file, line,
               "error message holds the hook: \"%s\"", msg);
    }
    deployhook_free_result(r);
}
#define EXPECT(r, e, secret) expect_result_(__FILE__, __LINE__, r, e, secret)

static expect success(const char *build, int status, int exists,
                      const char *created, const char *body)
{
    expect e = {DEPLOYHOOK_OK, 0, 200, NULL, DEPLOYHOOK_STATUS_UNKNOWN, -1, NULL, NULL, 1};
    e.build_uuid = build;
    e.status = status;
    e.already_exists = exists;
    e.created_on = created;
    e.body = body;
    return e;
}

/* Options aimed at the fake with the given retries and total timeout. */
static deployhook_options *fake_options(int retries, long timeout_ms)
{
    deployhook_options *o = deployhook_options_new();
    if (!CHECK(o != NULL)) {
        fprintf(stderr, "deployhook_options_new returned NULL\n");
        exit(2);
    }
    CHECK_INT(deployhook_options_set_base_url(o, g_base), DEPLOYHOOK_OK);
    CHECK_INT(deployhook_options_set_max_retries(o, retries), DEPLOYHOOK_OK);
    CHECK_INT(deployhook_options_set_timeout_ms(o, timeout_ms), DEPLOYHOOK_OK);
    return o;
}

#define HOOKS "/workers/builds/deploy_hooks/"

static char *hook_url(char *buf, size_t cap, const char *base, const char *uuid)
{
    snprintf(buf, cap, "%s" HOOKS "%s", base, uuid);
    return buf;
}

/* ---------- test cases ---------- */

static void test_version_and_names(void)
{
    int i;
    set_case("version and names");
    CHECK_STR(deployhook_version(), DEPLOYHOOK_VERSION);
    CHECK_INT(deployhook_version_number(), DEPLOYHOOK_VERSION_NUMBER);
    CHECK_INT(deployhook_version_number(), DEPLOYHOOK_VERSION_NUMBER);
    for (i = 0; i <= DEPLOYHOOK_ERR_NO_CREDENTIALS; i++)
        CHECK_STR(deployhook_error_name(i), ERROR_NAMES[i]);
    CHECK_STR(deployhook_error_name(-1), "DEPLOYHOOK_ERR_UNKNOWN");
    CHECK_STR(deployhook_error_name(DEPLOYHOOK_ERR_NO_CREDENTIALS + 1), "DEPLOYHOOK_ERR_UNKNOWN");
    CHECK_STR(deployhook_error_name(INT_MAX), "DEPLOYHOOK_ERR_UNKNOWN");
    CHECK_STR(deployhook_error_name(INT_MIN), "DEPLOYHOOK_ERR_UNKNOWN");
    CHECK_STR(deployhook_status_name(DEPLOYHOOK_STATUS_UNKNOWN), "unknown");
    CHECK_STR(deployhook_status_name(DEPLOYHOOK_STATUS_QUEUED), "queued");
    CHECK_STR(deployhook_status_name(DEPLOYHOOK_STATUS_INITIALIZING), "initializing");
    CHECK_STR(deployhook_status_name(DEPLOYHOOK_STATUS_RUNNING), "running");
    CHECK_STR(deployhook_status_name(DEPLOYHOOK_STATUS_STOPPED), "stopped");
    CHECK_STR(deployhook_status_name(-1), "unknown");
    CHECK_STR(deployhook_status_name(5), "unknown");
    CHECK_STR(deployhook_status_name(INT_MAX), "unknown");
}

static void test_null_safety(void)
{
    deployhook_options *o = fake_options(0, 10000);
    set_case("NULL safety");
    fake_reset();
    CHECK_INT(deployhook_error_code(NULL), DEPLOYHOOK_ERR_INVALID_ARGUMENT);
    CHECK_STR(deployhook_error_message(NULL), NULL);
    CHECK_INT(deployhook_api_error_code(NULL), 0);
    CHECK_INT(deployhook_http_status(NULL), 0);
    CHECK_STR(deployhook_build_uuid(NULL), NULL);
    CHECK_INT(deployhook_build_status(NULL), DEPLOYHOOK_STATUS_UNKNOWN);
    CHECK_INT(deployhook_already_exists(NULL), -1);
    CHECK_STR(deployhook_created_on(NULL), NULL);
    CHECK_STR(deployhook_cf_ray(NULL), NULL);
    CHECK_STR(deployhook_response_body(NULL), NULL);
    deployhook_free_result(NULL);
    deployhook_options_free(NULL);

    /* Setters on a NULL options object. */
    CHECK_INT(deployhook_options_set_base_url(NULL, g_base), DEPLOYHOOK_ERR_INVALID_ARGUMENT);
    CHECK_INT(deployhook_options_set_timeout_ms(NULL, 1000), DEPLOYHOOK_ERR_INVALID_ARGUMENT);
    CHECK_INT(deployhook_options_set_connect_timeout_ms(NULL, 1000), DEPLOYHOOK_ERR_INVALID_ARGUMENT);
    CHECK_INT(deployhook_options_set_max_retries(NULL, 1), DEPLOYHOOK_ERR_INVALID_ARGUMENT);
    CHECK_INT(deployhook_options_set_ca_file(NULL, NULL), DEPLOYHOOK_ERR_INVALID_ARGUMENT);
    CHECK_INT(deployhook_options_set_user_agent(NULL, "x"), DEPLOYHOOK_ERR_INVALID_ARGUMENT);

    /* NULL strings: a NULL hook is invalid; NULL setter values mean "default". */
    EXPECT(deployhook_trigger(NULL), no_response(DEPLOYHOOK_ERR_INVALID_ARGUMENT), NULL);
    EXPECT(deployhook_trigger_with(NULL, o), no_response(DEPLOYHOOK_ERR_INVALID_ARGUMENT), NULL);
    EXPECT(deployhook_trigger_with(NULL, NULL), no_response(DEPLOYHOOK_ERR_INVALID_ARGUMENT), NULL);
    CHECK_REQUESTS(0);
    CHECK_INT(deployhook_options_set_ca_file(o, NULL), DEPLOYHOOK_OK);
    CHECK_INT(deployhook_options_set_user_agent(o, NULL), DEPLOYHOOK_OK);
    CHECK_INT(deployhook_options_set_base_url(o, NULL), DEPLOYHOOK_OK);

    /* NULL options = defaults (base URL from CLOUDFLARE_BASE_URL, set to the fake). */
    EXPECT(deployhook_trigger_with(OK_UUID, NULL),
           success(BUILD, DEPLOYHOOK_STATUS_QUEUED, 0, CREATED, BODY_OK), OK_UUID);
    EXPECT(deployhook_trigger_with(OK_UUID, o),
           success(BUILD, DEPLOYHOOK_STATUS_QUEUED, 0, CREATED, BODY_OK), OK_UUID);
    CHECK_REQUESTS(2);
    deployhook_options_free(o);
}

static void test_success_shapes(void)
{
    deployhook_options *o = fake_options(0, 10000);
    set_case("success shapes");
    fake_reset();
    EXPECT(deployhook_trigger(OK_UUID),
           success(BUILD, DEPLOYHOOK_STATUS_QUEUED, 0, CREATED, BODY_OK), OK_UUID);
    EXPECT(deployhook_trigger_with(GUIDE_UUID, o),
           success("7c0e1b7a-4a51-4d35-9d4c-0f2b8e5b6a10", DEPLOYHOOK_STATUS_UNKNOWN, -1, NULL,
                   ENVELOPE_OK("{\"build_uuid\":\"7c0e1b7a-4a51-4d35-9d4c-0f2b8e5b6a10\","
                               "\"branch\":\"main\",\"worker\":\"my-worker\"}")),
           GUIDE_UUID);
    EXPECT(deployhook_trigger_with(EXISTS_UUID, o),
           success(BUILD, DEPLOYHOOK_STATUS_RUNNING, 1, CREATED,
                   ENVELOPE_OK(RESULT_FIELDS("true", "running"))),
           EXISTS_UUID);
    EXPECT(deployhook_trigger_with(PAUSED_UUID, o),
           success(BUILD, DEPLOYHOOK_STATUS_UNKNOWN, 0, CREATED,
                   ENVELOPE_OK(RESULT_FIELDS("false", "paused"))),
           PAUSED_UUID);
    CHECK_REQUESTS(4);
    deployhook_options_free(o);
}

/* POST, empty body, accept: application/json, deployhook/ user agent, no auth. */
static void test_request_shape(void)
{
    char value[1100];
    set_case("request shape");
    fake_reset();
    EXPECT(deployhook_trigger(OK_UUID),
           success(BUILD, DEPLOYHOOK_STATUS_QUEUED, 0, CREATED, BODY_OK), OK_UUID);
    CHECK_REQUESTS(1);
    CHECK(strstr(g_fake_body, "\"method\":\"POST\"") != NULL);
    CHECK(strstr(g_fake_body, "\"path\":\"/client/v4" HOOKS OK_UUID "\"") != NULL);
    CHECK(strstr(g_fake_body, "\"body_length\":0}") != NULL);
    CHECK(recorded_header("accept", value, sizeof value) && strcmp(value, "application/json") == 0);
    CHECK(recorded_header("user-agent", value, sizeof value) &&
          starts_with(value, "deployhook/" DEPLOYHOOK_VERSION));
    CHECK(!recorded_header("authorization", value, sizeof value));
    CHECK(!recorded_header("x-auth-key", value, sizeof value));
    CHECK(!recorded_header("x-auth-email", value, sizeof value));
}

/* Accepted spellings of a hook, and rejected ones that must not reach the fake. */
static void test_hook_forms(void)
{
    char url[512], bad[16][512];
    const char *inline_bad[] = {
        "",
        "   \n",
        "11111111-1111-4111-8111-11111111111",    /* 35 characters */
        "11111111-1111-4111-8111-1111111111111",  /* 37 characters */
        "11111111-1111-4111-8111-11111 111111",   /* inner space */
        "11111111-1111-4111-8111-111111111111\r\nx-injected: 1",
        "11111111-1111\n-4111-8111-111111111111",
        "11111111-1111-4111-8111-11111111111\xff",  /* not UTF-8 */
        "\xc3(111111-1111-4111-8111-111111111111",  /* bad UTF-8 sequence */
    };
    deployhook_options *o = fake_options(0, 10000);
    size_t i, nbad = 0;
    set_case("hook forms");
    fake_reset();

    /* Accepted: bare UUIDs in any case, surrounding whitespace, the full URL. */
    EXPECT(deployhook_trigger_with(OK_UUID, o),
           success(BUILD, DEPLOYHOOK_STATUS_QUEUED, 0, CREATED, BODY_OK), OK_UUID);
    EXPECT(deployhook_trigger_with("  " OK_UUID " \n", o),
           success(BUILD, DEPLOYHOOK_STATUS_QUEUED, 0, CREATED, BODY_OK), OK_UUID);
    EXPECT(deployhook_trigger_with("\t" OK_UUID "\n", o),
           success(BUILD, DEPLOYHOOK_STATUS_QUEUED, 0, CREATED, BODY_OK), OK_UUID);
    EXPECT(deployhook_trigger_with(hook_url(url, sizeof url, g_base, OK_UUID), o),
           success(BUILD, DEPLOYHOOK_STATUS_QUEUED, 0, CREATED, BODY_OK), OK_UUID);
    EXPECT(deployhook_trigger(hook_url(url, sizeof url, g_base, OK_UUID)),
           success(BUILD, DEPLOYHOOK_STATUS_QUEUED, 0, CREATED, BODY_OK), OK_UUID);
    /* Upper-case hex reaches the right scenario (success_false: API 10001). */
    EXPECT(deployhook_trigger_with("EEEEEEEE-EEEE-4EEE-8EEE-EEEEEEEEEEEE", o),
           answered(DEPLOYHOOK_ERR_API, 10001, 200,
                    ENVELOPE_ERR("10001", "Build could not be queued")),
           SFALSE_UUID);
    CHECK_REQUESTS(6);

    /* Rejected: URLs that do not sit under the configured base. */
    fake_reset();
#define ADD_BAD(...) snprintf(bad[nbad++], sizeof bad[0], __VA_ARGS__)
    ADD_BAD("http://example.com:%d/client/v4" HOOKS OK_UUID, g_port);      /* other host */
    ADD_BAD("http://127.0.0.1:%d/client/v4" HOOKS OK_UUID, g_port + 1);    /* other port */
    ADD_BAD("http://127.0.0.1:%d/client/v5" HOOKS OK_UUID, g_port);        /* other prefix */
    ADD_BAD("http://127.0.0.1:%d" HOOKS OK_UUID, g_port);                  /* no prefix */
    ADD_BAD("%s" HOOKS OK_UUID "/extra", g_base);
    ADD_BAD("%s" HOOKS "extra/" OK_UUID, g_base);
    ADD_BAD("%s" HOOKS, g_base);
    ADD_BAD("%s" HOOKS "../deploy_hooks/" OK_UUID, g_base);
    ADD_BAD("%s/../v4" HOOKS OK_UUID, g_base);
    ADD_BAD("%s" HOOKS OK_UUID "/..", g_base);
#undef ADD_BAD
    for (i = 0; i < nbad; i++) {
        set_case(bad[i]);
        EXPECT(deployhook_trigger_with(bad[i], o),
               no_response(DEPLOYHOOK_ERR_INVALID_ARGUMENT), OK_UUID);
    }
    for (i = 0; i < sizeof inline_bad / sizeof inline_bad[0]; i++) {
        set_case(inline_bad[i]);
        EXPECT(deployhook_trigger_with(inline_bad[i], o),
               no_response(DEPLOYHOOK_ERR_INVALID_ARGUMENT), "11111111-1111-4111-8111");
        EXPECT(deployhook_trigger(inline_bad[i]),
               no_response(DEPLOYHOOK_ERR_INVALID_ARGUMENT), "11111111-1111-4111-8111");
    }
    set_case("hook forms");
    CHECK_REQUESTS(0);
    deployhook_options_free(o);
}

/* Bad setter values return INVALID_ARGUMENT and leave the options as they were. */
static void test_setter_validation(void)
{
    char url[512], long_ua[1100];
    const char *bad_urls[] = {
        "", "not a url", "ftp://127.0.0.1/client/v4", "http://", "mailto:someone@example.com",
        NULL, NULL, NULL,  /* filled below: query, fragment, userinfo */
    };
    char query[256], fragment[256], userinfo[256], dead[256], value[1100];
    long bad_ms[] = {0, -1, 86400001L, LONG_MAX, LONG_MIN};
    int bad_retries[] = {-1, 101, INT_MAX, INT_MIN};
    const char *ca = "/etc/ssl/certs/ca-certificates.crt";
    deployhook_options *o = fake_options(0, 300);
    size_t i;
    set_case("setter validation");

    snprintf(query, sizeof query, "%s?x=1", g_base);
    snprintf(fragment, sizeof fragment, "%s#top", g_base);
    snprintf(userinfo, sizeof userinfo, "http://user:pw@127.0.0.1:%d/client/v4", g_port);
    bad_urls[5] = query;
    bad_urls[6] = fragment;
    bad_urls[7] = userinfo;

    /* Valid boundaries are accepted. */
    CHECK_INT(deployhook_options_set_timeout_ms(o, 1), DEPLOYHOOK_OK);
    CHECK_INT(deployhook_options_set_timeout_ms(o, 86400000L), DEPLOYHOOK_OK);
    CHECK_INT(deployhook_options_set_connect_timeout_ms(o, 1), DEPLOYHOOK_OK);
    CHECK_INT(deployhook_options_set_connect_timeout_ms(o, 86400000L), DEPLOYHOOK_OK);
    CHECK_INT(deployhook_options_set_max_retries(o, 100), DEPLOYHOOK_OK);
    CHECK_INT(deployhook_options_set_user_agent(o, "x"), DEPLOYHOOK_OK);
    memset(long_ua, 'u', 1024);
    long_ua[1024] = '\0';
    CHECK_INT(deployhook_options_set_user_agent(o, long_ua), DEPLOYHOOK_OK);
    CHECK_INT(deployhook_options_set_base_url(o, "https://api.cloudflare.com/client/v4"), DEPLOYHOOK_OK);
    if (access(ca, R_OK) == 0)
        CHECK_INT(deployhook_options_set_ca_file(o, ca), DEPLOYHOOK_OK);

    /* The state the bad values must not change. */
    CHECK_INT(deployhook_options_set_base_url(o, g_base), DEPLOYHOOK_OK);
    CHECK_INT(deployhook_options_set_timeout_ms(o, 300), DEPLOYHOOK_OK);
    CHECK_INT(deployhook_options_set_connect_timeout_ms(o, 2000), DEPLOYHOOK_OK);
    CHECK_INT(deployhook_options_set_max_retries(o, 0), DEPLOYHOOK_OK);
    CHECK_INT(deployhook_options_set_user_agent(o, "c-test-agent/1.0"), DEPLOYHOOK_OK);

    for (i = 0; i < sizeof bad_urls / sizeof bad_urls[0]; i++)
        check_(deployhook_options_set_base_url(o, bad_urls[i]) == DEPLOYHOOK_ERR_INVALID_ARGUMENT,
               __FILE__, __LINE__, "set_base_url(\"%s\") is INVALID_ARGUMENT", bad_urls[i]);
    for (i = 0; i < sizeof bad_ms / sizeof bad_ms[0]; i++) {
        CHECK_INT(deployhook_options_set_timeout_ms(o, bad_ms[i]), DEPLOYHOOK_ERR_INVALID_ARGUMENT);
        CHECK_INT(deployhook_options_set_connect_timeout_ms(o, bad_ms[i]), DEPLOYHOOK_ERR_INVALID_ARGUMENT);
    }
    for (i = 0; i < sizeof bad_retries / sizeof bad_retries[0]; i++)
        CHECK_INT(deployhook_options_set_max_retries(o, bad_retries[i]), DEPLOYHOOK_ERR_INVALID_ARGUMENT);
    /* The reason of the last failure, on this thread, in the library's words; NULL after a success. */
    CHECK(deployhook_last_error_message() != NULL && strstr(deployhook_last_error_message(), "max retries") != NULL);
    CHECK_INT(deployhook_options_set_max_retries(o, 2), DEPLOYHOOK_OK);
    CHECK(deployhook_last_error_message() == NULL);
    CHECK_INT(deployhook_options_set_max_retries(NULL, 2), DEPLOYHOOK_ERR_INVALID_ARGUMENT);
    CHECK(deployhook_last_error_message() != NULL && strstr(deployhook_last_error_message(), "NULL") != NULL);
    CHECK_INT(deployhook_options_set_ca_file(o, "/nonexistent/ca.pem"), DEPLOYHOOK_ERR_INVALID_ARGUMENT);
    CHECK_INT(deployhook_options_set_ca_file(o, "/"), DEPLOYHOOK_ERR_INVALID_ARGUMENT);
    CHECK_INT(deployhook_options_set_ca_file(o, ""), DEPLOYHOOK_ERR_INVALID_ARGUMENT);
    CHECK_INT(deployhook_options_set_user_agent(o, ""), DEPLOYHOOK_ERR_INVALID_ARGUMENT);
    CHECK_INT(deployhook_options_set_user_agent(o, "bad\r\nx-injected: 1"), DEPLOYHOOK_ERR_INVALID_ARGUMENT);
    CHECK_INT(deployhook_options_set_user_agent(o, "bad\nagent"), DEPLOYHOOK_ERR_INVALID_ARGUMENT);
    CHECK_INT(deployhook_options_set_user_agent(o, "bad\ragent"), DEPLOYHOOK_ERR_INVALID_ARGUMENT);
    CHECK_INT(deployhook_options_set_user_agent(o, "bad\x01agent"), DEPLOYHOOK_ERR_INVALID_ARGUMENT);
    long_ua[1024] = 'u';
    long_ua[1025] = '\0';
    CHECK_INT(deployhook_options_set_user_agent(o, long_ua), DEPLOYHOOK_ERR_INVALID_ARGUMENT);

    /* Base URL kept: with the environment pointing at a dead port, only the
     * explicit option reaches the fake. User agent kept: the fake saw it. */
    snprintf(dead, sizeof dead, "http://127.0.0.1:%d/client/v4", closed_port());
    setenv("CLOUDFLARE_BASE_URL", dead, 1);
    fake_reset();
    EXPECT(deployhook_trigger_with(OK_UUID, o),
           success(BUILD, DEPLOYHOOK_STATUS_QUEUED, 0, CREATED, BODY_OK), OK_UUID);
    CHECK_REQUESTS(1);
    CHECK(recorded_header("user-agent", value, sizeof value) && strcmp(value, "c-test-agent/1.0") == 0);
    setenv("CLOUDFLARE_BASE_URL", g_base, 1);

    /* Retries kept at 0: flaky fails on its first 503. */
    fake_reset();
    EXPECT(deployhook_trigger_with(FLAKY_UUID, o),
           answered(DEPLOYHOOK_ERR_HTTP, 0, 503, HTML_PAGE("503 Service Temporarily Unavailable")),
           FLAKY_UUID);
    CHECK_REQUESTS(1);

    /* Timeout kept at 300 ms: slow times out quickly. */
    {
        double t0 = now_s(), took;
        EXPECT(deployhook_trigger_with(SLOW_UUID, o), no_response(DEPLOYHOOK_ERR_TIMEOUT), SLOW_UUID);
        took = now_s() - t0;
        check_(took < 1.5, __FILE__, __LINE__, "slow with 300 ms timeout took %.3f s", took);
    }

    /* NULL user agent = back to the default. */
    CHECK_INT(deployhook_options_set_user_agent(o, NULL), DEPLOYHOOK_OK);
    CHECK_INT(deployhook_options_set_timeout_ms(o, 10000), DEPLOYHOOK_OK);
    fake_reset();
    EXPECT(deployhook_trigger_with(hook_url(url, sizeof url, g_base, OK_UUID), o),
           success(BUILD, DEPLOYHOOK_STATUS_QUEUED, 0, CREATED, BODY_OK), OK_UUID);
    CHECK_REQUESTS(1);
    CHECK(recorded_header("user-agent", value, sizeof value) &&
          strcmp(value, "deployhook/" DEPLOYHOOK_VERSION " (c; linux)") == 0);

    /* A binding names itself in the default User-Agent; a bad name changes nothing. */
    CHECK_INT(deployhook_options_set_binding_name(o, "rust"), DEPLOYHOOK_OK);
    CHECK_INT(deployhook_options_set_binding_name(o, "Not A Name"), DEPLOYHOOK_ERR_INVALID_ARGUMENT);
    CHECK(deployhook_last_error_message() != NULL && strstr(deployhook_last_error_message(), "binding name") != NULL);
    CHECK_INT(deployhook_options_set_binding_name(o, "x\r\nInjected: 1"), DEPLOYHOOK_ERR_INVALID_ARGUMENT);
    fake_reset();
    EXPECT(deployhook_trigger_with(OK_UUID, o), success(BUILD, DEPLOYHOOK_STATUS_QUEUED, 0, CREATED, BODY_OK), OK_UUID);
    CHECK_REQUESTS(1);
    CHECK(recorded_header("user-agent", value, sizeof value) &&
          strcmp(value, "deployhook/" DEPLOYHOOK_VERSION " (rust; linux)") == 0);
    CHECK_INT(deployhook_options_set_binding_name(o, NULL), DEPLOYHOOK_OK);
    deployhook_options_free(o);
}

/* Explicit option > CLOUDFLARE_BASE_URL > built-in default. */
static void test_base_url_precedence(void)
{
    char dead[256];
    deployhook_options *o;
    set_case("base URL precedence");
    snprintf(dead, sizeof dead, "http://127.0.0.1:%d/client/v4", closed_port());
    fake_reset();

    /* The environment is used when no option is set. */
    setenv("CLOUDFLARE_BASE_URL", g_base, 1);
    EXPECT(deployhook_trigger(OK_UUID),
           success(BUILD, DEPLOYHOOK_STATUS_QUEUED, 0, CREATED, BODY_OK), OK_UUID);
    CHECK_REQUESTS(1);

    /* An invalid environment value is INVALID_ARGUMENT; an explicit option beats it. */
    setenv("CLOUDFLARE_BASE_URL", "ftp://127.0.0.1/client/v4", 1);
    fake_reset();
    EXPECT(deployhook_trigger(OK_UUID), no_response(DEPLOYHOOK_ERR_INVALID_ARGUMENT), OK_UUID);
    CHECK_REQUESTS(0);
    o = fake_options(0, 10000);
    EXPECT(deployhook_trigger_with(OK_UUID, o),
           success(BUILD, DEPLOYHOOK_STATUS_QUEUED, 0, CREATED, BODY_OK), OK_UUID);
    CHECK_REQUESTS(1);
    deployhook_options_free(o);

    /* Environment at a dead port: options without a base URL go there. */
    setenv("CLOUDFLARE_BASE_URL", dead, 1);
    o = fake_options(0, 10000);
    CHECK_INT(deployhook_options_set_base_url(o, NULL), DEPLOYHOOK_OK);
    EXPECT(deployhook_trigger_with(OK_UUID, o), no_response(DEPLOYHOOK_ERR_NETWORK), OK_UUID);
    deployhook_options_free(o);

    /* Environment at the fake, option at a dead port: the option wins;
     * setting NULL goes back to the default, i.e. the environment. */
    setenv("CLOUDFLARE_BASE_URL", g_base, 1);
    o = fake_options(0, 10000);
    CHECK_INT(deployhook_options_set_base_url(o, dead), DEPLOYHOOK_OK);
    fake_reset();
    EXPECT(deployhook_trigger_with(OK_UUID, o), no_response(DEPLOYHOOK_ERR_NETWORK), OK_UUID);
    CHECK_REQUESTS(0);
    CHECK_INT(deployhook_options_set_base_url(o, NULL), DEPLOYHOOK_OK);
    EXPECT(deployhook_trigger_with(OK_UUID, o),
           success(BUILD, DEPLOYHOOK_STATUS_QUEUED, 0, CREATED, BODY_OK), OK_UUID);
    CHECK_REQUESTS(1);
    deployhook_options_free(o);
}

/* Every non-success error kind reachable over HTTP, with retry counts. */
static void test_error_kinds(void)
{
    char url[256];
    deployhook_options *o0 = fake_options(0, 10000), *o2 = fake_options(2, 10000), *tls;
    double t0, took;
    set_case("error kinds");

    fake_reset();
    EXPECT(deployhook_trigger_with(UNKNOWN_UUID, o2),
           answered(DEPLOYHOOK_ERR_NOT_FOUND, 12000, 404, ENVELOPE_ERR("12000", "Not found")),
           UNKNOWN_UUID);
    CHECK_REQUESTS(1);

    fake_reset();
    t0 = now_s();
    EXPECT(deployhook_trigger_with(RATE_UUID, o2),
           answered(DEPLOYHOOK_ERR_RATE_LIMITED, 12051, 429,
                    ENVELOPE_ERR("12051", "Rate limit exceeded")),
           RATE_UUID);
    took = now_s() - t0;
    CHECK_REQUESTS(3);
    check_(took < 1.0, __FILE__, __LINE__, "rate_limited (retry-after-ms 20) took %.3f s", took);

    fake_reset();
    EXPECT(deployhook_trigger_with(APIERR_UUID, o2),
           answered(DEPLOYHOOK_ERR_API, 10000, 403, ENVELOPE_ERR("10000", "Authentication error")),
           APIERR_UUID);
    CHECK_REQUESTS(1);

    fake_reset();
    EXPECT(deployhook_trigger_with(SFALSE_UUID, o2),
           answered(DEPLOYHOOK_ERR_API, 10001, 200,
                    ENVELOPE_ERR("10001", "Build could not be queued")),
           SFALSE_UUID);
    CHECK_REQUESTS(1);

    fake_reset();
    EXPECT(deployhook_trigger_with(NORETRY_UUID, o2),
           answered(DEPLOYHOOK_ERR_API, 10013, 500, ENVELOPE_ERR("10013", "Internal error")),
           NORETRY_UUID);
    CHECK_REQUESTS(1);

    fake_reset();
    EXPECT(deployhook_trigger_with(HTML502_UUID, o2),
           answered(DEPLOYHOOK_ERR_HTTP, 0, 502, HTML_PAGE("502 Bad Gateway")), HTML502_UUID);
    CHECK_REQUESTS(3);

    fake_reset();
    EXPECT(deployhook_trigger_with(FLAKY_UUID, o0),
           answered(DEPLOYHOOK_ERR_HTTP, 0, 503, HTML_PAGE("503 Service Temporarily Unavailable")),
           FLAKY_UUID);
    CHECK_REQUESTS(1);
    fake_reset();
    EXPECT(deployhook_trigger_with(FLAKY_UUID, o2),
           success(BUILD, DEPLOYHOOK_STATUS_QUEUED, 0, CREATED, BODY_OK), FLAKY_UUID);
    CHECK_REQUESTS(3);

    /* 302 is not followed: the fake (the only server there is) saw one request. */
    fake_reset();
    EXPECT(deployhook_trigger_with(REDIRECT_UUID, o2),
           answered(DEPLOYHOOK_ERR_HTTP, 0, 302, ""), REDIRECT_UUID);
    CHECK_REQUESTS(1);
    CHECK(strstr(g_fake_body, "/elsewhere") == NULL);

    fake_reset();
    EXPECT(deployhook_trigger_with(TRUNC_UUID, o2),
           answered(DEPLOYHOOK_ERR_RESPONSE, 0, 200,
                    "{\"success\": true, \"result\": {\"build_uuid\": \"18"),
           TRUNC_UUID);
    CHECK_REQUESTS(1);

    /* huge: fails fast and without buffering 64 MiB (peak RSS barely moves). */
    {
        struct rusage before, after;
        long grew_kib;
        getrusage(RUSAGE_SELF, &before);
        fake_reset();
        t0 = now_s();
        EXPECT(deployhook_trigger_with(HUGE_UUID, o2),
               answered(DEPLOYHOOK_ERR_RESPONSE, 0, 200, BODY_ANY), HUGE_UUID);
        took = now_s() - t0;
        getrusage(RUSAGE_SELF, &after);
        grew_kib = after.ru_maxrss - before.ru_maxrss;
        CHECK_REQUESTS(1);
        check_(took < 2.0, __FILE__, __LINE__, "huge took %.3f s", took);
        check_(grew_kib < 32 * 1024, __FILE__, __LINE__, "huge grew peak RSS by %ld KiB", grew_kib);
    }

    /* Connection dropped without an answer: NETWORK, retried. */
    {
        deployhook_options *o1 = fake_options(1, 10000);
        fake_reset();
        EXPECT(deployhook_trigger_with(DROP_UUID, o1), no_response(DEPLOYHOOK_ERR_NETWORK), DROP_UUID);
        CHECK_REQUESTS(2);
        deployhook_options_free(o1);
    }

    /* Nothing listening: NETWORK. */
    {
        deployhook_options *dead = deployhook_options_new();
        snprintf(url, sizeof url, "http://127.0.0.1:%d/client/v4", closed_port());
        CHECK_INT(deployhook_options_set_base_url(dead, url), DEPLOYHOOK_OK);
        CHECK_INT(deployhook_options_set_max_retries(dead, 0), DEPLOYHOOK_OK);
        EXPECT(deployhook_trigger_with(OK_UUID, dead), no_response(DEPLOYHOOK_ERR_NETWORK), OK_UUID);
        deployhook_options_free(dead);
    }

    /* Total deadline of 300 ms, retries included: TIMEOUT, well under 2 s. */
    {
        deployhook_options *t = fake_options(2, 300);
        fake_reset();
        t0 = now_s();
        EXPECT(deployhook_trigger_with(SLOW_UUID, t), no_response(DEPLOYHOOK_ERR_TIMEOUT), SLOW_UUID);
        took = now_s() - t0;
        check_(took >= 0.25 && took < 1.5, __FILE__, __LINE__,
               "slow with a 300 ms deadline took %.3f s", took);
        CHECK_REQUESTS(1);
        deployhook_options_free(t);
    }

    /* https to the plain-HTTP fake: TLS. */
    tls = fake_options(0, 10000);
    snprintf(url, sizeof url, "https://127.0.0.1:%d/client/v4", g_port);
    CHECK_INT(deployhook_options_set_base_url(tls, url), DEPLOYHOOK_OK);
    fake_reset();
    EXPECT(deployhook_trigger_with(OK_UUID, tls), no_response(DEPLOYHOOK_ERR_TLS), OK_UUID);
    CHECK_REQUESTS(0);

    deployhook_options_free(tls);
    deployhook_options_free(o0);
    deployhook_options_free(o2);
}

/* 8 threads trigger at once, half with shared options, half with defaults. */
typedef struct {
    const deployhook_options *opts;
    deployhook_result *result;
} job;

static void *run_job(void *arg)
{
    job *j = arg;
    j->result = j->opts ? deployhook_trigger_with(OK_UUID, j->opts) : deployhook_trigger(OK_UUID);
    return NULL;
}

static void test_concurrency(void)
{
    enum { THREADS = 8 };
    pthread_t threads[THREADS];
    job jobs[THREADS];
    deployhook_options *o = fake_options(0, 10000);
    int i, started[THREADS];
    set_case("concurrency");
    fake_reset();
    for (i = 0; i < THREADS; i++) {
        jobs[i].opts = (i % 2) ? o : NULL;
        jobs[i].result = NULL;
        started[i] = pthread_create(&threads[i], NULL, run_job, &jobs[i]) == 0;
        CHECK(started[i]);
    }
    for (i = 0; i < THREADS; i++) {
        if (!started[i])
            continue;
        pthread_join(threads[i], NULL);
        EXPECT(jobs[i].result, success(BUILD, DEPLOYHOOK_STATUS_QUEUED, 0, CREATED, BODY_OK), OK_UUID);
    }
    CHECK_REQUESTS(THREADS);
    deployhook_options_free(o);
}

/* A hook of the fake's delayed family: answers as ok after delay_ms, with a build UUID of its own. */
static void delayed_hook(char *hook, char *build, int serial, int delay_ms)
{
    snprintf(hook, 37, "de1a0000-0000-4000-8000-%08d%04d", serial, delay_ms);
    snprintf(build, 37, "b11d0000-0000-4000-8000-%08d%04d", serial, delay_ms);
}

/* deployhook_trigger_many: results in input order (the later hooks answer first), at most the options'
 * concurrency in flight as the server counts them, connections shared, invalid hooks failing alone. */
static void test_trigger_many(void)
{
    enum { N = 16, LIMIT = 4 };
    char hooks[N][37], builds[N][37];
    const char *list[N + 2];
    deployhook_result *results[N + 2];
    deployhook_options *o = fake_options(0, 20000);
    int i;
    set_case("trigger_many");
    for (i = 0; i < N; i++) {
        delayed_hook(hooks[i], builds[i], i, 400 - 15 * i);
        list[i] = hooks[i];
    }
    list[N] = "not-a-hook";
    list[N + 1] = NULL;
    CHECK_INT(deployhook_options_set_max_concurrency(o, LIMIT), DEPLOYHOOK_OK);
    fake_reset();
    CHECK_INT(deployhook_trigger_many(list, N + 2, o, results), DEPLOYHOOK_OK);
    for (i = 0; i < N; i++) {
        CHECK_INT(deployhook_error_code(results[i]), DEPLOYHOOK_OK);
        CHECK_STR(deployhook_build_uuid(results[i]), builds[i]);
        deployhook_free_result(results[i]);
    }
    CHECK_INT(deployhook_error_code(results[N]), DEPLOYHOOK_ERR_INVALID_ARGUMENT);
    CHECK_INT(deployhook_error_code(results[N + 1]), DEPLOYHOOK_ERR_INVALID_ARGUMENT);
    deployhook_free_result(results[N]);
    deployhook_free_result(results[N + 1]);
    CHECK_INT(fake_stat("max_in_flight"), LIMIT);
    CHECK_INT(fake_requests(), N);  /* the invalid ones sent nothing */
    CHECK_INT(recorded_connections(), LIMIT);
    CHECK_INT(fake_stat("connections"), LIMIT);

    /* A second call through the same options reuses those connections. */
    fake_reset();
    CHECK_INT(deployhook_trigger_many(list, LIMIT, o, results), DEPLOYHOOK_OK);
    for (i = 0; i < LIMIT; i++) {
        CHECK_STR(deployhook_build_uuid(results[i]), builds[i]);
        deployhook_free_result(results[i]);
    }
    CHECK_INT(fake_stat("connections"), 0);

    /* Nothing to do, and bad arguments: DEPLOYHOOK_OK / INVALID_ARGUMENT, nothing written or sent. */
    results[0] = NULL;
    CHECK_INT(deployhook_trigger_many(NULL, 0, o, NULL), DEPLOYHOOK_OK);
    CHECK_INT(deployhook_trigger_many(NULL, 1, o, results), DEPLOYHOOK_ERR_INVALID_ARGUMENT);
    CHECK_INT(deployhook_trigger_many(list, 1, o, NULL), DEPLOYHOOK_ERR_INVALID_ARGUMENT);
    CHECK_INT(deployhook_trigger_many(list, (size_t)2000000, o, results), DEPLOYHOOK_ERR_INVALID_ARGUMENT);
    CHECK(results[0] == NULL);
    CHECK_INT(fake_requests(), LIMIT);
    deployhook_options_free(o);
}

/* Repeated triggers through one options object reuse one connection; with NULL options, each call
 * opens its own. */
static void test_connection_reuse(void)
{
    deployhook_options *o = fake_options(0, 10000);
    int i;
    set_case("connection reuse");
    fake_reset();
    for (i = 0; i < 5; i++)
        EXPECT(deployhook_trigger_with(OK_UUID, o), success(BUILD, DEPLOYHOOK_STATUS_QUEUED, 0, CREATED, BODY_OK), OK_UUID);
    CHECK_INT(fake_stat("connections"), 1);
    CHECK_INT(recorded_connections(), 1);
    deployhook_options_free(o);

    fake_reset();
    for (i = 0; i < 3; i++)
        EXPECT(deployhook_trigger(OK_UUID), success(BUILD, DEPLOYHOOK_STATUS_QUEUED, 0, CREATED, BODY_OK), OK_UUID);
    CHECK_INT(recorded_connections(), 3);
}

/* Build details and cancel over the fake's build endpoints (its BUILD_SCENARIOS). */
#define BUILDS_TOKEN "fake-api-token-for-builds"
#define BUILDS_ACCOUNT "023e105f4ecef8ad9ca31a8372d0c353"

static deployhook_options *builds_options(void)
{
    deployhook_options *o = fake_options(0, 10000);
    CHECK_INT(deployhook_options_set_api_token(o, BUILDS_TOKEN), DEPLOYHOOK_OK);
    CHECK_INT(deployhook_options_set_account_id(o, BUILDS_ACCOUNT), DEPLOYHOOK_OK);
    return o;
}

static void test_build_details_and_cancel(void)
{
    deployhook_options *o = builds_options();
    deployhook_options *none = fake_options(0, 10000);
    deployhook_result *r;
    set_case("build details");
    r = deployhook_trigger_and_wait("b0000003-0000-4000-8000-000000000003", o, 0, NULL, NULL);
    CHECK_INT(deployhook_error_code(r), DEPLOYHOOK_OK);
    CHECK_INT(deployhook_build_outcome(r), DEPLOYHOOK_OUTCOME_SUCCESS);
    CHECK_STR(deployhook_build_uuid(r), "bd000003-0000-4000-8000-000000000003");
    CHECK_STR(deployhook_branch(r), "main");
    CHECK_STR(deployhook_commit_hash(r), "1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b");
    CHECK_STR(deployhook_commit_message(r), "Fix the caf\xc3\xa9 menu\n\nAnd its prices");
    CHECK_STR(deployhook_author(r), "ada@example.com");
    CHECK_STR(deployhook_trigger_source(r), "deploy_hook");
    CHECK_STR(deployhook_deploy_hook_name(r), "Production deploy hook");
    CHECK_STR(deployhook_trigger_name(r), "Deploy default branch");
    CHECK_STR(deployhook_preview_url(r), "https://1a2b3c4d-my-worker.my-subdomain.workers.dev");
    CHECK(deployhook_initializing_on(r) != NULL && deployhook_running_on(r) != NULL);
    CHECK(deployhook_modified_on(r) != NULL && deployhook_stopped_on(r) != NULL);
    CHECK_INT(deployhook_already_stopped(r), -1);  /* not a cancel */
    deployhook_free_result(r);
    CHECK(deployhook_branch(NULL) == NULL && deployhook_commit_hash(NULL) == NULL && deployhook_modified_on(NULL) == NULL);
    r = deployhook_trigger(OK_UUID);  /* a trigger answer carries no details */
    CHECK(deployhook_commit_hash(r) == NULL && deployhook_author(r) == NULL);
    deployhook_free_result(r);

    set_case("cancel a running build");
    fake_reset();
    r = deployhook_cancel_build("bd000008-0000-4000-8000-000000000008", o);
    CHECK_INT(deployhook_error_code(r), DEPLOYHOOK_OK);
    CHECK_INT(deployhook_build_outcome(r), DEPLOYHOOK_OUTCOME_CANCELLED);
    CHECK_INT(deployhook_build_status(r), DEPLOYHOOK_STATUS_STOPPED);
    CHECK_INT(deployhook_already_stopped(r), 0);
    CHECK(deployhook_stopped_on(r) != NULL);
    CHECK_STR(deployhook_build_uuid(r), "bd000008-0000-4000-8000-000000000008");
    deployhook_free_result(r);
    CHECK(fake_requests() == 1 && strstr(g_fake_body, "\"method\":\"PUT\"") != NULL &&
          strstr(g_fake_body, "/builds/builds/bd000008-0000-4000-8000-000000000008/cancel") != NULL);

    set_case("cancel a build that had already stopped");
    r = deployhook_cancel_build("bd000009-0000-4000-8000-000000000009", o);
    CHECK_INT(deployhook_error_code(r), DEPLOYHOOK_OK);
    CHECK_INT(deployhook_already_stopped(r), 1);
    CHECK_INT(deployhook_build_outcome(r), DEPLOYHOOK_OUTCOME_SUCCESS);
    deployhook_free_result(r);
    r = deployhook_cancel_build("bd00000a-0000-4000-8000-00000000000a", o);
    CHECK_INT(deployhook_error_code(r), DEPLOYHOOK_ERR_API);
    CHECK_INT(deployhook_api_error_code(r), 12002);
    CHECK_INT(deployhook_http_status(r), 400);
    CHECK_INT(deployhook_already_stopped(r), -1);
    deployhook_free_result(r);

    set_case("cancel: bad arguments send nothing");
    fake_reset();
    unsetenv("CLOUDFLARE_API_TOKEN");
    unsetenv("CLOUDFLARE_ACCOUNT_ID");
    r = deployhook_cancel_build("bd000008-0000-4000-8000-000000000008", none);
    CHECK_INT(deployhook_error_code(r), DEPLOYHOOK_ERR_NO_CREDENTIALS);
    deployhook_free_result(r);
    r = deployhook_cancel_build("not-a-build", o);
    CHECK_INT(deployhook_error_code(r), DEPLOYHOOK_ERR_INVALID_ARGUMENT);
    CHECK(deployhook_build_uuid(r) == NULL);
    deployhook_free_result(r);
    r = deployhook_cancel_build(NULL, o);
    CHECK_INT(deployhook_error_code(r), DEPLOYHOOK_ERR_INVALID_ARGUMENT);
    deployhook_free_result(r);
    CHECK_REQUESTS(0);
    deployhook_options_free(none);
    deployhook_options_free(o);
}

/* SIGALRM: a call hung; report the case and fail instead of blocking CI. */
static void on_watchdog(int sig)
{
    static const char msg[] = "test_deployhook: watchdog fired, hung in case: ";
    ssize_t ignored = write(STDERR_FILENO, msg, sizeof msg - 1);
    ignored += write(STDERR_FILENO, last_case(), strlen(last_case()));
    ignored += write(STDERR_FILENO, "\n", 1);
    (void)ignored;
    (void)sig;
    _exit(3);
}

int main(int argc, char **argv)
{
    if (argc != 2 || sscanf(argv[1], "http://127.0.0.1:%d/", &g_port) != 1) {
        fprintf(stderr, "usage: %s http://127.0.0.1:PORT/client/v4\n", argv[0]);
        return 2;
    }
    g_base = argv[1];
    signal(SIGALRM, on_watchdog);
    alarm(300);  /* the whole run takes seconds, even under valgrind */
    /* Defaults must reach the fake, never the real API. */
    setenv("CLOUDFLARE_BASE_URL", g_base, 1);
    fake_reset();

    test_version_and_names();
    test_null_safety();
    test_success_shapes();
    test_request_shape();
    test_hook_forms();
    test_setter_validation();
    test_base_url_precedence();
    test_error_kinds();
    test_concurrency();
    test_trigger_many();
    test_connection_reuse();
    test_build_details_and_cancel();

    return check_summary();
}
