/*
 * deployhook_node.c: the native half of the Node.js binding, against Node-API only (ABI-stable across Node
 * versions). It converts and nothing else: the rules, messages and numbers are libdeployhook's.
 *
 * - The library is dlopen()ed at run time (index.js chooses the file, in the Python binding's order) and
 *   its functions are looked up into `dh`, typed from include/deployhook.h. It is never dlclose()d.
 * - Options live in a refcounted `box` behind a type-tagged external: one reference for JavaScript (dropped
 *   by release() or the garbage collector), one for each call in flight, so options outlive their calls.
 * - Every blocking call runs on a thread of its own at once (not libuv's pool, which long waits would
 *   starve; threads are reused) and reports through a thread-safe function of its own: wait events in order,
 *   then the outcome, on the JS thread. When the environment goes (a worker terminated, the process
 *   exiting) with calls in flight, their options are interrupted and their threads stop posting, freeing
 *   the results nobody will read.
 */
#define _POSIX_C_SOURCE 200809L /* strdup */
#define NAPI_VERSION 8
#include <node_api.h>

#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "deployhook.h"

/* Every function of the ABI the binding calls, typed by the header's own prototypes. */
#define DH_FUNCTIONS(X)                                                                                        \
    X(trigger_with) X(trigger_many) X(free_result) X(wait) X(trigger_and_wait) X(cancel_build) X(error_code)   \
    X(error_message) X(api_error_code) X(http_status) X(build_uuid) X(build_status) X(already_exists)          \
    X(created_on) X(cf_ray) X(response_body) X(build_outcome) X(preview_url) X(stopped_on) X(branch)           \
    X(commit_hash) X(commit_message) X(author) X(trigger_source) X(deploy_hook_name) X(trigger_name)           \
    X(initializing_on) X(running_on) X(modified_on) X(already_stopped) X(options_new) X(options_free)          \
    X(options_set_base_url) X(options_set_timeout_ms) X(options_set_connect_timeout_ms)                       \
    X(options_set_max_retries) X(options_set_max_concurrency) X(options_set_ca_file)                          \
    X(options_set_user_agent) X(options_set_api_token) X(options_set_account_id)                              \
    X(options_set_wait_timeout_ms) X(options_set_binding_name) X(options_dup_linked) X(options_interrupt)     \
    X(options_shut_down) X(last_error_message) X(error_name) X(status_name) X(outcome_name) X(version)

static struct {
#define X(name) __typeof__(deployhook_##name) *name;
    DH_FUNCTIONS(X)
#undef X
} dh;
static atomic_int loaded;
static pthread_mutex_t load_lock = PTHREAD_MUTEX_INITIALIZER;

static const napi_type_tag BOX_TAG = {0x6465706c6f79686fULL, 0x6f6b6f7074696f6eULL};

/* Options shared by JavaScript and the calls in flight. The options are freed when their last holder lets
 * go (JavaScript, by release() or when collected, and each call in flight); the box itself when its last
 * reference does (its external, when collected, and each call in flight). */
typedef struct box {
    deployhook_options *options;
    atomic_int holders;
    atomic_int refs;
    int released; /* JavaScript let go (JS thread only) */
} box;

enum kind { TRIGGER, TRIGGER_MANY, WAIT, TRIGGER_AND_WAIT, CANCEL };

/* One call in flight: owned by its thread and its thread-safe function (two references). */
typedef struct call {
    enum kind kind;
    box *box;
    char *target;  /* hook or build UUID */
    char **hooks;  /* TRIGGER_MANY */
    size_t count;
    int follow_logs;
    int has_callback;
    int closing;          /* the thread-safe function refused a call: the environment is going */
    int gone;             /* the thread-safe function was finalized (guarded by lock) */
    pthread_mutex_t lock; /* keeps the finalizer from running while the thread calls the function */
    napi_threadsafe_function tsfn;
    napi_deferred deferred;
    deployhook_result *result;
    deployhook_result **results;
    int many_code;
    char *many_message;
    atomic_int refs;
    struct call *next; /* in the queue of calls waiting for a thread */
} call;

/* A wait event on its way to the JS thread. */
typedef struct event {
    int event, status;
    double timestamp;
    char text[];
} event;

static void box_let_go(box *b) {
    if (atomic_fetch_sub(&b->holders, 1) == 1) dh.options_free(b->options);
}

static void box_unref(box *b) {
    if (atomic_fetch_sub(&b->refs, 1) == 1) free(b);
}

/* A call in flight holds the box and its options. */
static void box_hold(box *b) {
    atomic_fetch_add(&b->holders, 1);
    atomic_fetch_add(&b->refs, 1);
}

static void call_unref(call *c) {
    if (atomic_fetch_sub(&c->refs, 1) != 1) return;
    box_let_go(c->box);
    box_unref(c->box);
    free(c->target);
    for (size_t i = 0; c->hooks && i < c->count; i++) free(c->hooks[i]);
    free(c->hooks);
    free(c->results);
    free(c->many_message);
    pthread_mutex_destroy(&c->lock);
    free(c);
}

/* Queues `data` for the JS thread, unless the environment is going (then false, once and for all). The
 * environment deletes the thread-safe function when it is torn down, calls in flight or not: its
 * finalizer, finalize_call(), takes the same lock and marks it gone. */
static int post(call *c, void *data, int last) {
    int posted = 0;
    pthread_mutex_lock(&c->lock);
    if (!c->gone && !c->closing) {
        posted = napi_call_threadsafe_function(c->tsfn, data, napi_tsfn_nonblocking) == napi_ok;
        if (!posted) c->closing = 1; /* napi_closing: no further call, not even a release */
        if (posted && last) napi_release_threadsafe_function(c->tsfn, napi_tsfn_release);
    }
    pthread_mutex_unlock(&c->lock);
    return posted;
}

/* ---- helpers ---- */

#define CHECK(expr)                                                                                            \
    do {                                                                                                       \
        if ((expr) != napi_ok) return NULL;                                                                    \
    } while (0)

static napi_value throw_error(napi_env env, const char *code, const char *message) {
    napi_throw_error(env, code, message);
    return NULL;
}

static napi_value string_or_null(napi_env env, const char *text) {
    napi_value value;
    if (text == NULL) {
        napi_get_null(env, &value);
    } else {
        napi_create_string_utf8(env, text, NAPI_AUTO_LENGTH, &value);
    }
    return value;
}

static napi_value int_value(napi_env env, int value) {
    napi_value result;
    napi_create_int32(env, value, &result);
    return result;
}

/* A JavaScript string as a new C string (free it). C cannot carry a NUL inside a string, so each one
 * becomes 0x01, a control character the library rejects where a NUL would have cut the text short. */
static char *copy_string(napi_env env, napi_value value, const char *what) {
    size_t length, written;
    napi_valuetype type;
    napi_typeof(env, value, &type);
    if (type != napi_string) {
        napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", what);
        return NULL;
    }
    napi_get_value_string_utf8(env, value, NULL, 0, &length);
    char *text = malloc(length + 1);
    if (text == NULL) {
        napi_throw_error(env, NULL, "out of memory");
        return NULL;
    }
    napi_get_value_string_utf8(env, value, text, length + 1, &written);
    for (size_t i = 0; i < written; i++) {
        if (text[i] == '\0') text[i] = '\x01';
    }
    return text;
}

static box *get_box(napi_env env, napi_value value) {
    bool tagged = false;
    void *data = NULL;
    if (napi_check_object_type_tag(env, value, &BOX_TAG, &tagged) != napi_ok || !tagged ||
        napi_get_value_external(env, value, &data) != napi_ok) {
        napi_throw_type_error(env, NULL, "not deployhook options");
        return NULL;
    }
    return data;
}

static napi_value get_args(napi_env env, napi_callback_info info, size_t expected, napi_value *argv) {
    size_t argc = expected;
    napi_value self;
    CHECK(napi_get_cb_info(env, info, &argc, argv, &self, NULL));
    return self;
}

/* ---- loading the library ---- */

/* load(path): dlopen()s the library and looks up every function; throws dlerror()'s text. Once loaded,
 * later calls do nothing. */
static napi_value load(napi_env env, napi_callback_info info) {
    napi_value argv[1];
    get_args(env, info, 1, argv);
    if (atomic_load(&loaded)) return NULL;
    char *path = copy_string(env, argv[0], "the library path must be a string");
    if (path == NULL) return NULL;
    pthread_mutex_lock(&load_lock);
    const char *failure = NULL;
    if (!atomic_load(&loaded)) {
        void *handle = dlopen(path, RTLD_LAZY | RTLD_LOCAL);
        if (handle == NULL) failure = dlerror();
#define X(name)                                                                                                \
    if (failure == NULL && (*(void **)&dh.name = dlsym(handle, "deployhook_" #name)) == NULL)                 \
        failure = dlerror();
        DH_FUNCTIONS(X)
#undef X
        if (failure == NULL) atomic_store(&loaded, 1);
    }
    pthread_mutex_unlock(&load_lock);
    free(path);
    if (failure != NULL) return throw_error(env, "ERR_DLOPEN_FAILED", failure);
    return NULL;
}

static int need_library(napi_env env) {
    if (atomic_load(&loaded)) return 1;
    napi_throw_error(env, NULL, "libdeployhook is not loaded");
    return 0;
}

static napi_value version(napi_env env, napi_callback_info info) {
    (void)info;
    if (!need_library(env)) return NULL;
    return string_or_null(env, dh.version());
}

/* ---- options ---- */

static void box_finalize(napi_env env, void *data, void *hint) {
    (void)env, (void)hint;
    box *b = data;
    if (!b->released) { /* collected, or the environment is going: stop whatever still uses the options */
        b->released = 1;
        dh.options_shut_down(b->options);
        box_let_go(b);
    }
    box_unref(b);
}

static napi_value wrap_box(napi_env env, deployhook_options *options) {
    if (options == NULL) return throw_error(env, NULL, "out of memory");
    box *b = calloc(1, sizeof *b);
    napi_value external;
    if (b == NULL) {
        dh.options_free(options);
        return throw_error(env, NULL, "out of memory");
    }
    b->options = options;
    atomic_init(&b->holders, 1);
    atomic_init(&b->refs, 1);
    if (napi_create_external(env, b, box_finalize, NULL, &external) != napi_ok) {
        dh.options_free(options);
        free(b);
        return NULL;
    }
    napi_type_tag_object(env, external, &BOX_TAG);
    return external;
}

/* optionsNew(): new options holding the library's defaults, naming "node" in the default User-Agent. */
static napi_value options_new(napi_env env, napi_callback_info info) {
    (void)info;
    if (!need_library(env)) return NULL;
    deployhook_options *options = dh.options_new();
    if (options != NULL) dh.options_set_binding_name(options, "node");
    return wrap_box(env, options);
}

/* dupLinked(options): a copy for one call, sharing its connections (deployhook_options_dup_linked): an
 * interrupt of the original reaches the copy's call, and shutDown(copy) stops that call alone. */
static napi_value options_dup_linked(napi_env env, napi_callback_info info) {
    napi_value argv[1];
    get_args(env, info, 1, argv);
    box *b = get_box(env, argv[0]);
    if (b == NULL) return NULL;
    if (b->released) return throw_error(env, NULL, "the options were released");
    return wrap_box(env, dh.options_dup_linked(b->options));
}

/* release(options): frees them once no call uses them any more. Idempotent. */
static napi_value options_release(napi_env env, napi_callback_info info) {
    napi_value argv[1];
    get_args(env, info, 1, argv);
    box *b = get_box(env, argv[0]);
    if (b != NULL && !b->released) {
        b->released = 1;
        box_let_go(b);
    }
    return NULL;
}

/* shutDown(options): ends the calls in flight with these options and every later one, begun or not, with
 * CANCELLED (deployhook_options_shut_down): for one call's own copy. */
static napi_value options_shut_down(napi_env env, napi_callback_info info) {
    napi_value argv[1];
    get_args(env, info, 1, argv);
    box *b = get_box(env, argv[0]);
    if (b != NULL && !b->released) dh.options_shut_down(b->options);
    return NULL;
}

/* set(options, name, value): calls the setter of a camelCase option name; returns null, or
 * [code, message] when the library refused the value (its message, from deployhook_last_error_message). */
static napi_value options_set(napi_env env, napi_callback_info info) {
    napi_value argv[3];
    get_args(env, info, 3, argv);
    box *b = get_box(env, argv[0]);
    if (b == NULL) return NULL;
    char name[32];
    size_t length;
    if (napi_get_value_string_utf8(env, argv[1], name, sizeof name, &length) != napi_ok)
        return throw_error(env, NULL, "the option name must be a string");
    int (*string_setter)(deployhook_options *, const char *) = NULL;
    int (*long_setter)(deployhook_options *, long) = NULL;
    int (*int_setter)(deployhook_options *, int) = NULL;
    if (!strcmp(name, "baseUrl")) string_setter = dh.options_set_base_url;
    else if (!strcmp(name, "caFile")) string_setter = dh.options_set_ca_file;
    else if (!strcmp(name, "userAgent")) string_setter = dh.options_set_user_agent;
    else if (!strcmp(name, "apiToken")) string_setter = dh.options_set_api_token;
    else if (!strcmp(name, "accountId")) string_setter = dh.options_set_account_id;
    else if (!strcmp(name, "timeout")) long_setter = dh.options_set_timeout_ms;
    else if (!strcmp(name, "connectTimeout")) long_setter = dh.options_set_connect_timeout_ms;
    else if (!strcmp(name, "waitTimeout")) long_setter = dh.options_set_wait_timeout_ms;
    else if (!strcmp(name, "maxRetries")) int_setter = dh.options_set_max_retries;
    else if (!strcmp(name, "maxConcurrency")) int_setter = dh.options_set_max_concurrency;
    else return throw_error(env, NULL, "unknown option");
    char what[64];
    int code;
    if (string_setter != NULL) {
        snprintf(what, sizeof what, "%s must be a string", name);
        char *text = copy_string(env, argv[2], what);
        if (text == NULL) return NULL;
        code = string_setter(b->options, text);
        free(text);
    } else {
        napi_valuetype type;
        int64_t number = 0;
        napi_typeof(env, argv[2], &type);
        if (type != napi_number) {
            snprintf(what, sizeof what, "%s must be a number", name);
            napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", what);
            return NULL;
        }
        napi_get_value_int64(env, argv[2], &number); /* truncated; NaN and infinities: 0 */
        if (long_setter != NULL) {
            code = long_setter(b->options, number < LONG_MIN ? LONG_MIN : number > LONG_MAX ? LONG_MAX : (long)number);
        } else {
            code = int_setter(b->options, number < INT_MIN ? INT_MIN : number > INT_MAX ? INT_MAX : (int)number);
        }
    }
    if (code == DEPLOYHOOK_OK) return string_or_null(env, NULL);
    napi_value pair;
    CHECK(napi_create_array_with_length(env, 2, &pair));
    napi_set_element(env, pair, 0, int_value(env, code));
    napi_set_element(env, pair, 1, string_or_null(env, dh.last_error_message()));
    return pair;
}

/* ---- results ---- */

static napi_value tri_state(napi_env env, int value) { /* 1 true, 0 false, -1 null */
    napi_value result;
    if (value < 0) {
        napi_get_null(env, &result);
    } else {
        napi_get_boolean(env, value != 0, &result);
    }
    return result;
}

/* A result as a plain object of its fields, as the library gives them (names for the enums; null for
 * NULL strings, for an outcome of NONE and for -1 flags). Does not free it. */
static napi_value result_object(napi_env env, const deployhook_result *r) {
    napi_value object;
    int code = dh.error_code(r), outcome = dh.build_outcome(r);
    napi_value outcome_value = outcome == DEPLOYHOOK_OUTCOME_NONE ? string_or_null(env, NULL)
                                                                  : string_or_null(env, dh.outcome_name(outcome));
#define FIELD(key, value) {key, NULL, NULL, NULL, NULL, value, napi_enumerable | napi_writable | napi_configurable, NULL}
    napi_property_descriptor fields[] = {
        FIELD("code", int_value(env, code)),
        FIELD("name", string_or_null(env, dh.error_name(code))),
        FIELD("message", string_or_null(env, dh.error_message(r))),
        FIELD("apiCode", int_value(env, dh.api_error_code(r))),
        FIELD("httpStatus", int_value(env, dh.http_status(r))),
        FIELD("cfRay", string_or_null(env, dh.cf_ray(r))),
        FIELD("buildUuid", string_or_null(env, dh.build_uuid(r))),
        FIELD("status", string_or_null(env, dh.status_name(dh.build_status(r)))),
        FIELD("outcome", outcome_value),
        FIELD("alreadyExists", tri_state(env, dh.already_exists(r))),
        FIELD("alreadyStopped", tri_state(env, dh.already_stopped(r))),
        FIELD("createdOn", string_or_null(env, dh.created_on(r))),
        FIELD("initializingOn", string_or_null(env, dh.initializing_on(r))),
        FIELD("runningOn", string_or_null(env, dh.running_on(r))),
        FIELD("modifiedOn", string_or_null(env, dh.modified_on(r))),
        FIELD("stoppedOn", string_or_null(env, dh.stopped_on(r))),
        FIELD("previewUrl", string_or_null(env, dh.preview_url(r))),
        FIELD("branch", string_or_null(env, dh.branch(r))),
        FIELD("commitHash", string_or_null(env, dh.commit_hash(r))),
        FIELD("commitMessage", string_or_null(env, dh.commit_message(r))),
        FIELD("author", string_or_null(env, dh.author(r))),
        FIELD("triggerSource", string_or_null(env, dh.trigger_source(r))),
        FIELD("deployHookName", string_or_null(env, dh.deploy_hook_name(r))),
        FIELD("triggerName", string_or_null(env, dh.trigger_name(r))),
        FIELD("responseBody", string_or_null(env, dh.response_body(r))),
    };
#undef FIELD
    CHECK(napi_create_object(env, &object));
    CHECK(napi_define_properties(env, object, sizeof fields / sizeof fields[0], fields));
    return object;
}

/* A result as its object, or null for a NULL result (out of memory); frees it. */
static napi_value take_result(napi_env env, deployhook_result *r) {
    napi_value value = r ? result_object(env, r) : string_or_null(env, NULL);
    dh.free_result(r);
    return value;
}

/* ---- calls ---- */

/* The waiting thread's callback: copies the event and queues it for the JS thread. */
static void on_wait_event(int kind, int status, const char *text, double timestamp, void *user_data) {
    call *c = user_data;
    size_t length = text ? strlen(text) : 0;
    event *e = malloc(sizeof *e + length + 1);
    if (e == NULL) return;
    e->event = kind;
    e->status = status;
    e->timestamp = timestamp;
    memcpy(e->text, text ? text : "", length + 1);
    if (!post(c, e, 0)) { /* the environment is going: nobody listens any more */
        free(e);
        dh.options_interrupt(c->box->options);
    }
}

static void run_call(call *c) {
    const deployhook_options *options = c->box->options;
    deployhook_wait_callback callback = c->has_callback ? on_wait_event : NULL;
    switch (c->kind) {
    case TRIGGER: c->result = dh.trigger_with(c->target, options); break;
    case WAIT: c->result = dh.wait(c->target, options, c->follow_logs, callback, c); break;
    case TRIGGER_AND_WAIT: c->result = dh.trigger_and_wait(c->target, options, c->follow_logs, callback, c); break;
    case CANCEL: c->result = dh.cancel_build(c->target, options); break;
    case TRIGGER_MANY:
        c->many_code = dh.trigger_many((const char *const *)c->hooks, c->count, options, c->results);
        if (c->many_code != DEPLOYHOOK_OK) { /* the reason is thread-local: read it here */
            const char *message = dh.last_error_message();
            c->many_message = message ? strdup(message) : NULL;
        }
        break;
    }
    if (!post(c, NULL, 1)) { /* nobody will read them */
        dh.free_result(c->result);
        for (size_t i = 0; c->results && i < c->count; i++) dh.free_result(c->results[i]);
    }
    call_unref(c);
}

/* On the JS thread: a wait event for the JavaScript callback, or (data NULL) the call's outcome. */
static void deliver(napi_env env, napi_value js_callback, void *context, void *data) {
    call *c = context;
    if (data != NULL) {
        event *e = data;
        if (env != NULL && js_callback != NULL) {
            napi_value argv[4], undefined;
            napi_create_int32(env, e->event, &argv[0]);
            argv[1] = string_or_null(env, dh.status_name(e->status));
            napi_create_string_utf8(env, e->text, NAPI_AUTO_LENGTH, &argv[2]);
            napi_create_double(env, e->timestamp, &argv[3]);
            napi_get_undefined(env, &undefined);
            napi_call_function(env, undefined, js_callback, 4, argv, NULL); /* index.js never throws here */
        }
        free(e);
        return;
    }
    if (env == NULL) { /* the environment is gone */
        dh.free_result(c->result);
        for (size_t i = 0; c->results && i < c->count; i++) dh.free_result(c->results[i]);
        return;
    }
    napi_value value;
    if (c->kind == TRIGGER_MANY && c->many_code != DEPLOYHOOK_OK) {
        napi_create_object(env, &value);
        napi_set_named_property(env, value, "code", int_value(env, c->many_code));
        napi_set_named_property(env, value, "name", string_or_null(env, dh.error_name(c->many_code)));
        napi_set_named_property(env, value, "message", string_or_null(env, c->many_message));
    } else if (c->kind == TRIGGER_MANY) {
        napi_create_array_with_length(env, c->count, &value);
        for (size_t i = 0; i < c->count; i++) {
            napi_set_element(env, value, (uint32_t)i, take_result(env, c->results[i]));
            c->results[i] = NULL;
        }
    } else {
        value = take_result(env, c->result);
        c->result = NULL;
    }
    napi_resolve_deferred(env, c->deferred, value);
}

static void finalize_call(napi_env env, void *data, void *hint) {
    (void)env, (void)hint;
    call *c = data;
    pthread_mutex_lock(&c->lock);
    c->gone = 1;
    pthread_mutex_unlock(&c->lock);
    call_unref(c);
}

/* ---- threads: a call starts at once on an idle thread, or on a new one; a thread that has finished a
 * call waits IDLE_SECONDS for the next before it ends (creating a thread costs more than a trigger) ---- */

#define IDLE_SECONDS 10
static pthread_mutex_t pool_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t pool_wake = PTHREAD_COND_INITIALIZER;
static call *pool_head, *pool_tail;
static size_t pool_idle, pool_queued;

static void *pool_thread(void *unused) {
    (void)unused;
    pthread_mutex_lock(&pool_lock);
    for (;;) {
        while (pool_head == NULL) {
            struct timespec until;
            clock_gettime(CLOCK_REALTIME, &until);
            until.tv_sec += IDLE_SECONDS;
            pool_idle++;
            int waited = pthread_cond_timedwait(&pool_wake, &pool_lock, &until);
            pool_idle--;
            if (waited == ETIMEDOUT && pool_head == NULL) {
                pthread_mutex_unlock(&pool_lock);
                return NULL;
            }
        }
        call *c = pool_head;
        pool_head = c->next;
        if (pool_head == NULL) pool_tail = NULL;
        pool_queued--;
        pthread_mutex_unlock(&pool_lock);
        run_call(c);
        pthread_mutex_lock(&pool_lock);
    }
}

/* Queues `c` and makes sure a thread takes it now; non-zero (and `c` not queued) when none can be made. */
static int pool_submit(call *c) {
    int failed = 0;
    pthread_mutex_lock(&pool_lock);
    c->next = NULL;
    if (pool_tail != NULL) pool_tail->next = c; else pool_head = c;
    pool_tail = c;
    pool_queued++;
    if (pool_idle >= pool_queued) {
        pthread_cond_signal(&pool_wake);
    } else {
        pthread_t thread;
        pthread_attr_t attributes;
        pthread_attr_init(&attributes);
        pthread_attr_setdetachstate(&attributes, PTHREAD_CREATE_DETACHED);
        failed = pthread_create(&thread, &attributes, pool_thread, NULL);
        pthread_attr_destroy(&attributes);
        if (failed) { /* take `c` back: it is the last one */
            call **link = &pool_head;
            while (*link != c) link = &(*link)->next;
            *link = NULL;
            pool_tail = NULL;
            for (call *other = pool_head; other != NULL; other = other->next) pool_tail = other;
            pool_queued--;
        }
    }
    pthread_mutex_unlock(&pool_lock);
    return failed;
}

/* Starts `c` on a thread of its own; returns the promise of its outcome (an object from result_object, or
 * an array of them). On failure frees `c` and throws. */
static napi_value start_call(napi_env env, call *c, napi_value on_event) {
    napi_value promise, name;
    napi_valuetype type = napi_undefined;
    if (on_event != NULL) napi_typeof(env, on_event, &type);
    if (type != napi_function) on_event = NULL;
    c->has_callback = on_event != NULL;
    c->follow_logs = c->follow_logs && on_event != NULL;
    atomic_init(&c->refs, 2); /* the thread's and the thread-safe function's */
    box_hold(c->box);
    napi_create_string_utf8(env, "deployhook", NAPI_AUTO_LENGTH, &name);
    if (napi_create_promise(env, &c->deferred, &promise) != napi_ok ||
        napi_create_threadsafe_function(env, on_event, NULL, name, 0, 1, c, finalize_call, c, deliver,
                                        &c->tsfn) != napi_ok) {
        atomic_store(&c->refs, 1);
        call_unref(c);
        return NULL;
    }
    if (pool_submit(c) != 0) {
        napi_value error, message;
        napi_create_string_utf8(env, "could not start a thread for the call", NAPI_AUTO_LENGTH, &message);
        napi_create_error(env, NULL, message, &error);
        napi_reject_deferred(env, c->deferred, error);
        napi_release_threadsafe_function(c->tsfn, napi_tsfn_release); /* finalize_call drops one reference */
        call_unref(c);
    }
    return promise;
}

static call *new_call(napi_env env, enum kind kind, napi_value options) {
    box *b = get_box(env, options);
    if (b == NULL) return NULL;
    if (b->released) {
        napi_throw_error(env, NULL, "the options were released");
        return NULL;
    }
    if (!need_library(env)) return NULL;
    call *c = calloc(1, sizeof *c);
    if (c == NULL) {
        napi_throw_error(env, NULL, "out of memory");
        return NULL;
    }
    c->kind = kind;
    c->box = b;
    pthread_mutex_init(&c->lock, NULL);
    return c;
}

/* trigger(options, hook), cancel(options, buildUuid) */
static napi_value call_simple(napi_env env, napi_callback_info info, enum kind kind, const char *what) {
    napi_value argv[2];
    get_args(env, info, 2, argv);
    call *c = new_call(env, kind, argv[0]);
    if (c == NULL) return NULL;
    if ((c->target = copy_string(env, argv[1], what)) == NULL) {
        free(c);
        return NULL;
    }
    return start_call(env, c, NULL);
}

static napi_value trigger(napi_env env, napi_callback_info info) {
    return call_simple(env, info, TRIGGER, "the deploy hook must be a string");
}

static napi_value cancel(napi_env env, napi_callback_info info) {
    return call_simple(env, info, CANCEL, "the build UUID must be a string");
}

/* wait(options, buildUuid, followLogs, onEvent), triggerAndWait(options, hook, followLogs, onEvent):
 * onEvent(event, statusName, text, timestamp) hears the wait's events on the JS thread. */
static napi_value call_wait(napi_env env, napi_callback_info info, enum kind kind, const char *what) {
    napi_value argv[4];
    bool follow = false;
    get_args(env, info, 4, argv);
    call *c = new_call(env, kind, argv[0]);
    if (c == NULL) return NULL;
    if ((c->target = copy_string(env, argv[1], what)) == NULL) {
        free(c);
        return NULL;
    }
    napi_get_value_bool(env, argv[2], &follow);
    c->follow_logs = follow;
    return start_call(env, c, argv[3]);
}

static napi_value wait_build(napi_env env, napi_callback_info info) {
    return call_wait(env, info, WAIT, "the build UUID must be a string");
}

static napi_value trigger_and_wait(napi_env env, napi_callback_info info) {
    return call_wait(env, info, TRIGGER_AND_WAIT, "the deploy hook must be a string");
}

/* triggerMany(options, hooks): hooks is an array of strings. */
static napi_value trigger_many(napi_env env, napi_callback_info info) {
    napi_value argv[2];
    bool is_array = false;
    uint32_t count = 0;
    get_args(env, info, 2, argv);
    napi_is_array(env, argv[1], &is_array);
    if (!is_array) {
        napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", "the hooks must be an array of strings");
        return NULL;
    }
    call *c = new_call(env, TRIGGER_MANY, argv[0]);
    if (c == NULL) return NULL;
    napi_get_array_length(env, argv[1], &count);
    c->count = count;
    c->hooks = calloc(count ? count : 1, sizeof *c->hooks);
    c->results = calloc(count ? count : 1, sizeof *c->results);
    if (c->hooks == NULL || c->results == NULL) {
        atomic_init(&c->refs, 1);
        box_hold(c->box);
        call_unref(c);
        return throw_error(env, NULL, "out of memory");
    }
    for (uint32_t i = 0; i < count; i++) {
        napi_value hook;
        napi_get_element(env, argv[1], i, &hook);
        if ((c->hooks[i] = copy_string(env, hook, "each deploy hook must be a string")) == NULL) {
            atomic_init(&c->refs, 1);
            box_hold(c->box);
            call_unref(c);
            return NULL;
        }
    }
    return start_call(env, c, NULL);
}

static napi_value init(napi_env env, napi_value exports) {
    napi_property_descriptor functions[] = {
#define FUNCTION(name, function) {name, NULL, function, NULL, NULL, NULL, napi_enumerable, NULL}
        FUNCTION("load", load),
        FUNCTION("version", version),
        FUNCTION("optionsNew", options_new),
        FUNCTION("dupLinked", options_dup_linked),
        FUNCTION("release", options_release),
        FUNCTION("shutDown", options_shut_down),
        FUNCTION("set", options_set),
        FUNCTION("trigger", trigger),
        FUNCTION("triggerMany", trigger_many),
        FUNCTION("wait", wait_build),
        FUNCTION("triggerAndWait", trigger_and_wait),
        FUNCTION("cancel", cancel),
#undef FUNCTION
    };
    CHECK(napi_define_properties(env, exports, sizeof functions / sizeof functions[0], functions));
    return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
