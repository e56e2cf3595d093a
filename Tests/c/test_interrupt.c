/*
 * Stopping calls: deployhook_options_interrupt() from another thread (and from a wait callback) ends a
 * call within 100 ms with DEPLOYHOOK_ERR_CANCELLED wherever it is stuck: in connect, waiting for headers,
 * in a retry wait, between polls of a wait, and in a trigger_many of 20 hooks. Also: calls that begin
 * after an interrupt are not affected, the options stay usable, and a duplicate is interrupted apart.
 *
 * Self-contained: it serves its own loopback HTTP (a thread) and makes a listener whose accept queue is
 * full, so a connect hangs. Usage: test_interrupt [SLACK_MS]  (extra milliseconds allowed per stop, for
 * valgrind and sanitizers; default 0). Ends with "N passed, N failed".
 */
#define _GNU_SOURCE
#include "check.h"
#include <deployhook.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#define RETRY_HOOK "5e7a0000-0000-4000-8000-000000000001"   /* 503 with Retry-After: 10 */
#define SILENT_HOOK "5e7a0000-0000-4000-8000-000000000002"  /* never answers */
#define BUILD_UUID "b0000000-0000-4000-8000-000000000001"   /* GET: a build that keeps running */
#define ACCOUNT "0123456789abcdef0123456789abcdef"

static double slack_s;
static int server_port;

/* ---- a tiny loopback HTTP server: one thread per connection ---- */

static void *serve_connection(void *arg)
{
    int fd = (int)(intptr_t)arg;
    char request[4096];
    ssize_t got = recv(fd, request, sizeof request - 1, 0);
    if (got > 0) {
        request[got] = 0;
        if (strstr(request, RETRY_HOOK)) {
            static const char reply[] = "HTTP/1.1 503 Service Unavailable\r\nRetry-After: 10\r\nContent-Length: 0\r\n"
                                        "Connection: close\r\n\r\n";
            (void)!write(fd, reply, sizeof reply - 1);
        } else if (strstr(request, "/builds/builds/")) {
            static const char body[] = "{\"success\":true,\"errors\":[],\"messages\":[],\"result\":{\"build_uuid\":\""
                                       BUILD_UUID "\",\"status\":\"running\"}}";
            char reply[512];
            int n = snprintf(reply, sizeof reply, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                             "Content-Length: %zu\r\nConnection: close\r\n\r\n%s", sizeof body - 1, body);
            (void)!write(fd, reply, (size_t)n);
        } else {
            char sink[256];  /* SILENT_HOOK and anything else: hold the connection, answer nothing */
            while (recv(fd, sink, sizeof sink, 0) > 0) {}
        }
    }
    close(fd);
    return NULL;
}

static void *serve(void *arg)
{
    int listener = (int)(intptr_t)arg;
    for (;;) {
        int fd = accept(listener, NULL, NULL);
        pthread_t thread;
        if (fd < 0) continue;
        if (pthread_create(&thread, NULL, serve_connection, (void *)(intptr_t)fd) == 0) pthread_detach(thread);
        else close(fd);
    }
    return NULL;
}

/* A listening socket on 127.0.0.1, port written to *port. */
static int listen_loopback(int backlog, int *port)
{
    struct sockaddr_in address = {0};
    socklen_t length = sizeof address;
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd < 0 || bind(fd, (struct sockaddr *)&address, sizeof address) != 0 || listen(fd, backlog) != 0) return -1;
    getsockname(fd, (struct sockaddr *)&address, &length);
    *port = ntohs(address.sin_port);
    return fd;
}

/* A port whose accept queue is full and never drained: a new connect hangs (its SYNs are dropped). */
static int jammed_port(void)
{
    int port = 0, i;
    int listener = listen_loopback(0, &port);
    struct sockaddr_in address = {0};
    address.sin_family = AF_INET;
    address.sin_port = htons((uint16_t)port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    for (i = 0; i < 4; i++) {  /* fill the queue; these sockets stay open until the process ends */
        int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
        (void)!connect(fd, (struct sockaddr *)&address, sizeof address);
    }
    usleep(100 * 1000);
    (void)listener;
    return port;
}

/* ---- interrupting from another thread ---- */

struct interrupter { const deployhook_options *options; double delay_s, at; };

static void *interrupt_later(void *arg)
{
    struct interrupter *job = arg;
    usleep((useconds_t)(job->delay_s * 1e6));
    job->at = now_s();
    CHECK_INT(deployhook_options_interrupt(job->options), DEPLOYHOOK_OK);
    return NULL;
}

/* Starts a thread that interrupts options after delay_s. */
static pthread_t start_interrupter(struct interrupter *job, const deployhook_options *options, double delay_s)
{
    pthread_t thread;
    job->options = options;
    job->delay_s = delay_s;
    job->at = 0;
    pthread_create(&thread, NULL, interrupt_later, job);
    return thread;
}

/* Checks that result ended CANCELLED within 100 ms (plus slack) of the interrupt. */
static void check_cancelled_at(const char *file, int line, deployhook_result *result, double ended, double interrupted)
{
    double late_ms = (ended - interrupted) * 1000;
    CHECK_INT_AT(file, line, deployhook_error_code(result), DEPLOYHOOK_ERR_CANCELLED);
    check_(late_ms >= 0 && late_ms <= 100 + slack_s * 1000, file, line, "ended %.1f ms after the interrupt (at most 100)", late_ms);
    CHECK_AT(file, line, deployhook_error_message(result) != NULL);
}
#define CHECK_CANCELLED(result, ended, interrupted) check_cancelled_at(__FILE__, __LINE__, result, ended, interrupted)

static deployhook_options *options_for(int port, long timeout_ms)
{
    char base[64];
    deployhook_options *options = deployhook_options_new();
    snprintf(base, sizeof base, "http://127.0.0.1:%d/client/v4", port);
    CHECK_INT(deployhook_options_set_base_url(options, base), DEPLOYHOOK_OK);
    CHECK_INT(deployhook_options_set_timeout_ms(options, timeout_ms), DEPLOYHOOK_OK);
    CHECK_INT(deployhook_options_set_connect_timeout_ms(options, timeout_ms), DEPLOYHOOK_OK);
    CHECK_INT(deployhook_options_set_api_token(options, "test-token"), DEPLOYHOOK_OK);
    CHECK_INT(deployhook_options_set_account_id(options, ACCOUNT), DEPLOYHOOK_OK);
    return options;
}

/* Triggers hook with options, interrupted after 300 ms; checks it ended CANCELLED in time. */
static void trigger_interrupted(const char *name, deployhook_options *options, const char *hook)
{
    struct interrupter job;
    pthread_t thread;
    deployhook_result *result;
    set_case(name);
    thread = start_interrupter(&job, options, 0.3);
    result = deployhook_trigger_with(hook, options);
    CHECK_CANCELLED(result, now_s(), job.at);
    pthread_join(thread, NULL);
    deployhook_free_result(result);
}

static void test_trigger_stops(void)
{
    deployhook_options *jammed = options_for(jammed_port(), 20000);
    deployhook_options *served = options_for(server_port, 20000);
    deployhook_result *result;
    double started;

    trigger_interrupted("interrupt: stuck in connect", jammed, SILENT_HOOK);
    trigger_interrupted("interrupt: waiting for headers", served, SILENT_HOOK);
    CHECK_INT(deployhook_options_set_max_retries(served, 3), DEPLOYHOOK_OK);
    trigger_interrupted("interrupt: in a retry wait", served, RETRY_HOOK);

    set_case("interrupt: later calls are not affected, the options stay usable");
    CHECK_INT(deployhook_options_set_timeout_ms(served, 300), DEPLOYHOOK_OK);
    CHECK_INT(deployhook_options_set_max_retries(served, 0), DEPLOYHOOK_OK);
    started = now_s();
    result = deployhook_trigger_with(SILENT_HOOK, served);
    CHECK_INT(deployhook_error_code(result), DEPLOYHOOK_ERR_TIMEOUT);  /* its own deadline, not the old interrupt */
    CHECK(now_s() - started >= 0.25);
    deployhook_free_result(result);

    set_case("interrupt: NULL options");
    CHECK_INT(deployhook_options_interrupt(NULL), DEPLOYHOOK_ERR_INVALID_ARGUMENT);
    CHECK(deployhook_last_error_message() != NULL);
    deployhook_options_free(jammed);
    deployhook_options_free(served);
}

static void test_dup(void)
{
    deployhook_options *original = options_for(server_port, 1500);
    deployhook_options *copy = deployhook_options_dup(original);
    struct interrupter job;
    pthread_t thread;
    deployhook_result *result;
    set_case("dup: same settings, interrupted apart");
    CHECK(copy != NULL);
    CHECK(deployhook_options_dup(NULL) == NULL);
    /* Interrupting the original does not stop a call made with the copy: it runs to its own deadline. */
    thread = start_interrupter(&job, original, 0.2);
    result = deployhook_trigger_with(SILENT_HOOK, copy);
    CHECK_INT(deployhook_error_code(result), DEPLOYHOOK_ERR_TIMEOUT);
    pthread_join(thread, NULL);
    deployhook_free_result(result);
    /* Interrupting the copy stops its call; the original may be freed first. */
    deployhook_options_free(original);
    trigger_interrupted("dup: the copy is interrupted, the original freed first", copy, SILENT_HOOK);
    deployhook_options_free(copy);
}

static void test_dup_linked(void)
{
    deployhook_options *client = options_for(server_port, 1500);
    deployhook_options *call = deployhook_options_dup_linked(client);
    struct interrupter job;
    pthread_t thread;
    deployhook_result *result;
    set_case("dup_linked: the original's interrupt reaches the copy's calls");
    CHECK(call != NULL);
    CHECK(deployhook_options_dup_linked(NULL) == NULL);
    thread = start_interrupter(&job, client, 0.3);
    result = deployhook_trigger_with(SILENT_HOOK, call);
    CHECK_CANCELLED(result, now_s(), job.at);
    pthread_join(thread, NULL);
    deployhook_free_result(result);
    set_case("dup_linked: the copy's interrupt does not reach the original's calls");
    thread = start_interrupter(&job, call, 0.2);
    result = deployhook_trigger_with(SILENT_HOOK, client);
    CHECK_INT(deployhook_error_code(result), DEPLOYHOOK_ERR_TIMEOUT);
    pthread_join(thread, NULL);
    deployhook_free_result(result);
    deployhook_options_free(client);  /* the copy may outlive the original */
    trigger_interrupted("dup_linked: the copy stops its own call, the original freed first", call, SILENT_HOOK);
    deployhook_options_free(call);
}

static void test_trigger_many_stops(void)
{
    deployhook_options *options = options_for(server_port, 20000);
    const char *hooks[20];
    deployhook_result *results[20];
    struct interrupter job;
    pthread_t thread;
    double ended;
    int i;
    set_case("interrupt: trigger_many of 20 hooks");
    CHECK_INT(deployhook_options_set_max_concurrency(options, 4), DEPLOYHOOK_OK);
    for (i = 0; i < 20; i++) hooks[i] = SILENT_HOOK;
    thread = start_interrupter(&job, options, 0.3);
    CHECK_INT(deployhook_trigger_many(hooks, 20, options, results), DEPLOYHOOK_OK);
    ended = now_s();
    for (i = 0; i < 20; i++) {
        CHECK_CANCELLED(results[i], ended, job.at);
        deployhook_free_result(results[i]);
    }
    CHECK(deployhook_last_error_message() == NULL);
    pthread_join(thread, NULL);
    deployhook_options_free(options);
}

static void test_wait_stops(void)
{
    deployhook_options *options = options_for(server_port, 20000);
    struct interrupter job;
    pthread_t thread;
    deployhook_result *result;
    set_case("interrupt: a wait between polls");
    thread = start_interrupter(&job, options, 0.5);  /* the first poll answers at once; the next is 2 s later */
    result = deployhook_wait(BUILD_UUID, options, 0, NULL, NULL);
    CHECK_CANCELLED(result, now_s(), job.at);
    pthread_join(thread, NULL);
    deployhook_free_result(result);
    deployhook_options_free(options);
}

struct own_stop { deployhook_options *options; int events; double at; };

static void stop_own_wait(int event, int status, const char *text, double timestamp, void *user_data)
{
    struct own_stop *stop = user_data;
    (void)event; (void)status; (void)text; (void)timestamp;
    stop->events++;
    stop->at = now_s();
    deployhook_options_interrupt(stop->options);  /* from inside the callback: stops this wait */
}

static void test_callback_stops_its_wait(void)
{
    struct own_stop stop = {0};
    deployhook_result *result;
    set_case("interrupt: a wait callback stops its own wait");
    stop.options = options_for(server_port, 20000);
    result = deployhook_wait(BUILD_UUID, stop.options, 0, (deployhook_wait_callback)stop_own_wait, &stop);
    CHECK_INT(stop.events, 1);
    CHECK_CANCELLED(result, now_s(), stop.at);
    deployhook_free_result(result);
    deployhook_options_free(stop.options);
}

static void test_shut_down(void)
{
    deployhook_options *client = options_for(server_port, 20000);
    deployhook_options *call = deployhook_options_dup_linked(client);
    deployhook_result *result;
    double started;
    set_case("shut_down: a call that has not begun yet ends at once, sending nothing");
    CHECK_INT(deployhook_options_shut_down(call), DEPLOYHOOK_OK);
    started = now_s();
    result = deployhook_trigger_with(SILENT_HOOK, call);
    CHECK_CANCELLED(result, now_s(), started);
    deployhook_free_result(result);
    result = deployhook_wait(BUILD_UUID, call, 0, NULL, NULL);
    CHECK_CANCELLED(result, now_s(), started);
    deployhook_free_result(result);
    set_case("shut_down: the original is not touched");
    CHECK_INT(deployhook_options_set_timeout_ms(client, 300), DEPLOYHOOK_OK);
    result = deployhook_trigger_with(SILENT_HOOK, client);
    CHECK_INT(deployhook_error_code(result), DEPLOYHOOK_ERR_TIMEOUT);
    deployhook_free_result(result);
    CHECK_INT(deployhook_options_shut_down(NULL), DEPLOYHOOK_ERR_INVALID_ARGUMENT);
    deployhook_options_free(call);
    deployhook_options_free(client);
}

int main(int argc, char **argv)
{
    pthread_t server;
    int listener;
    slack_s = argc > 1 ? atof(argv[1]) / 1000 : 0;
    listener = listen_loopback(64, &server_port);
    if (listener < 0) { perror("listen"); return 2; }
    pthread_create(&server, NULL, serve, (void *)(intptr_t)listener);
    pthread_detach(server);

    test_trigger_stops();
    test_dup();
    test_dup_linked();
    test_shut_down();
    test_trigger_many_stops();
    test_wait_stops();
    test_callback_stops_its_wait();

    printf("%d passed, %d failed\n", n_checks - n_failed, n_failed);
    return n_failed == 0 ? 0 : 1;
}
