/*
 * The C types of deployhook's ABI, written by hand: the @c functions in Sources/DeployHookC use them,
 * and scripts/generate_header.py copies the part between the PUBLIC markers into include/deployhook.h.
 */
#ifndef DEPLOYHOOK_TYPES_H
#define DEPLOYHOOK_TYPES_H

/* BEGIN PUBLIC */
/** The library's version as a string, equal to what deployhook_version() returns. */
#define DEPLOYHOOK_VERSION "0.2.0"
/** The version as major * 1000000 + minor * 1000 + patch, equal to deployhook_version_number(). */
#define DEPLOYHOOK_VERSION_NUMBER 2000

/**
 * The outcome of a call: 0 for success, otherwise the kind of failure. The numbers are stable ABI;
 * new kinds are only ever appended. deployhook_error_name() gives each one's name.
 * Like every enum here it only names numbers: functions take and return them as int (32 bits).
 */
typedef enum deployhook_error {
    DEPLOYHOOK_OK = 0,                   /**< Success. */
    DEPLOYHOOK_ERR_INVALID_ARGUMENT = 1, /**< A bad hook, option or NULL argument; nothing was sent. */
    DEPLOYHOOK_ERR_NOT_FOUND = 2,        /**< No such deploy hook (HTTP 404, Cloudflare code 12000). */
    DEPLOYHOOK_ERR_RATE_LIMITED = 3,     /**< Rate limited (HTTP 429, code 12051), after retries. */
    DEPLOYHOOK_ERR_API = 4,              /**< Any other Cloudflare error envelope (success: false). */
    DEPLOYHOOK_ERR_HTTP = 5,             /**< A non-2xx answer with no Cloudflare envelope, after retries. */
    DEPLOYHOOK_ERR_NETWORK = 6,          /**< Could not resolve, connect, send or receive. */
    DEPLOYHOOK_ERR_TIMEOUT = 7,          /**< The connect timeout or the total deadline passed. */
    DEPLOYHOOK_ERR_TLS = 8,              /**< TLS handshake or certificate verification failed. */
    DEPLOYHOOK_ERR_RESPONSE = 9,         /**< A malformed, unreadable or oversized (> 1 MiB) response. */
    DEPLOYHOOK_ERR_INTERNAL = 10,        /**< A bug or resource failure inside the library. */
    DEPLOYHOOK_ERR_WAIT_TIMEOUT = 11,    /**< Waiting for a build: it did not stop before the wait timeout. */
    DEPLOYHOOK_ERR_CANCELLED = 12,       /**< The call was interrupted (deployhook_options_interrupt()). */
    DEPLOYHOOK_ERR_NO_CREDENTIALS = 13   /**< Following a build needs a token and an account ID: one is missing or malformed; nothing was sent. */
} deployhook_error;

/** The state of a build as Cloudflare reported it. A status string it does not know is UNKNOWN. */
typedef enum deployhook_status {
    DEPLOYHOOK_STATUS_UNKNOWN = 0,      /**< Absent, or a value this version does not know. */
    DEPLOYHOOK_STATUS_QUEUED = 1,       /**< "queued" */
    DEPLOYHOOK_STATUS_INITIALIZING = 2, /**< "initializing" */
    DEPLOYHOOK_STATUS_RUNNING = 3,      /**< "running" */
    DEPLOYHOOK_STATUS_STOPPED = 4       /**< "stopped" */
} deployhook_status;

/** How a stopped build ended. NONE until it has stopped. */
typedef enum deployhook_outcome {
    DEPLOYHOOK_OUTCOME_NONE = 0,       /**< Not stopped yet, or not known. */
    DEPLOYHOOK_OUTCOME_SUCCESS = 1,    /**< "success": built and deployed. */
    DEPLOYHOOK_OUTCOME_FAIL = 2,       /**< "fail" */
    DEPLOYHOOK_OUTCOME_SKIPPED = 3,    /**< "skipped" */
    DEPLOYHOOK_OUTCOME_CANCELLED = 4,  /**< "cancelled" */
    DEPLOYHOOK_OUTCOME_TERMINATED = 5, /**< "terminated" (e.g. the 20-minute build timeout) */
    DEPLOYHOOK_OUTCOME_UNKNOWN = 6     /**< A value this version does not know. */
} deployhook_outcome;

/** What a wait callback reports. */
typedef enum deployhook_event {
    DEPLOYHOOK_EVENT_STATUS = 1, /**< The build's status changed (the first poll always reports). */
    DEPLOYHOOK_EVENT_LOG = 2     /**< A new line of the build's log. */
} deployhook_event;

/**
 * Called on the waiting thread while deployhook_wait() or deployhook_trigger_and_wait() polls a build.
 * STATUS: status is the new status, text the build's UUID, timestamp 0; the first poll always reports.
 * LOG: text is the line, timestamp its time in seconds since 1970, status the last status reported; a
 * build's last lines come before its STOPPED event, and nothing comes after it.
 * event is a deployhook_event and status a deployhook_status, both as int.
 * text is borrowed: valid only during the call. user_data is what the caller passed. The callback must
 * not free anything it is given. It must return normally (no exception, no longjmp out of it) and may
 * call any deployhook function.
 */
typedef void (*deployhook_wait_callback)(int event, int status, const char *text, double timestamp,
                                         void *user_data);

/** The outcome of one trigger: a build or an error. Owned by the caller; free with deployhook_free_result(). */
typedef struct deployhook_result deployhook_result;

/** Settings for triggers (API base, timeouts, retries, CA file, User-Agent). Free with deployhook_options_free(). */
typedef struct deployhook_options deployhook_options;
/* END PUBLIC */

/*
 * Complete definitions, seen only by the library: they make Swift import typed pointers
 * (deployhook_result *) rather than void *. Users see the opaque typedefs above.
 */
struct deployhook_result { void *box; };
struct deployhook_options { void *box; };

#endif
