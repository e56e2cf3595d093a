/*
 * deployhook.hpp: a header-only C++17 wrapper of deployhook.h (trigger Cloudflare Workers Builds deploy
 * hooks and follow the builds). Thin: it converts, and every rule, message and number is the library's.
 *
 *   deployhook::client client;                          // owns a deployhook_options (RAII)
 *   client.set_api_token(token).set_account_id(account);
 *   deployhook::result build = client.trigger(hook);    // throws deployhook::error on failure
 *   deployhook::result done = client.wait(build, [](const deployhook::event &e) {
 *       std::cout << (e.kind == deployhook::event_kind::log ? "| " : "status ") << e.text << '\n';
 *   });
 *   std::cout << deployhook::name(done.outcome()) << '\n';
 *
 * - Strings go in as std::string_view (copied to add the NUL; one holding a NUL character is an
 *   error(invalid_argument), as C cannot carry it) and come out as std::string or std::optional<std::string>.
 * - Enums are the C numbers (enum class with int underneath): a number a newer library appends is a valid
 *   value, named by name() as the library names it ("DEPLOYHOOK_ERR_UNKNOWN", "unknown").
 * - A deployhook::result owns its deployhook_result through std::unique_ptr<deployhook_result,
 *   deployhook::result_deleter>; client::trigger_many returns a std::vector of them.
 * - deployhook::error (a std::runtime_error) carries code(), api_code(), http_status(), cf_ray() and
 *   build_uuid(); what() is the library's message, which never holds a hook or token. A NULL result (out of
 *   memory) throws std::bad_alloc.
 * - A wait's callback is any callable taking const deployhook::event &. The wait runs on options of its
 *   own linked to the client's (deployhook_options_dup_linked). An exception the callable throws never
 *   crosses the library's frames: it is caught, later events are dropped, the wait's own options are shut
 *   down (deployhook_options_shut_down: that wait ends, the client's other calls go on) and it is rethrown
 *   once the call returned.
 * - deployhook::interrupter (copyable, any thread) ends the calls in flight on one client within 100 ms
 *   with error_code::cancelled, waits included (through the link); to stop one call only, make it on a
 *   client::dup().
 * - A client made by client() names the binding in the library's default User-Agent,
 *   deployhook/VERSION (cpp; OS) (deployhook_options_set_binding_name); set_user_agent() replaces it.
 * - A client may be shared by threads that call it (const members); its setters must not run meanwhile.
 */
#ifndef DEPLOYHOOK_HPP
#define DEPLOYHOOK_HPP

#include "deployhook.h"

#include <chrono>
#include <climits>
#include <cstddef>
#include <exception>
#include <functional>
#include <initializer_list>
#include <memory>
#include <new>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

namespace deployhook {

/** deployhook_error: 0 for success, else the kind of failure. Other numbers are codes a newer library appends. */
enum class error_code : int {
    ok = DEPLOYHOOK_OK,
    invalid_argument = DEPLOYHOOK_ERR_INVALID_ARGUMENT,
    not_found = DEPLOYHOOK_ERR_NOT_FOUND,
    rate_limited = DEPLOYHOOK_ERR_RATE_LIMITED,
    api = DEPLOYHOOK_ERR_API,
    http = DEPLOYHOOK_ERR_HTTP,
    network = DEPLOYHOOK_ERR_NETWORK,
    timeout = DEPLOYHOOK_ERR_TIMEOUT,
    tls = DEPLOYHOOK_ERR_TLS,
    response = DEPLOYHOOK_ERR_RESPONSE,
    internal = DEPLOYHOOK_ERR_INTERNAL,
    wait_timeout = DEPLOYHOOK_ERR_WAIT_TIMEOUT,
    cancelled = DEPLOYHOOK_ERR_CANCELLED,
    no_credentials = DEPLOYHOOK_ERR_NO_CREDENTIALS,
};

/** deployhook_status: a build's state. */
enum class build_status : int {
    unknown = DEPLOYHOOK_STATUS_UNKNOWN,
    queued = DEPLOYHOOK_STATUS_QUEUED,
    initializing = DEPLOYHOOK_STATUS_INITIALIZING,
    running = DEPLOYHOOK_STATUS_RUNNING,
    stopped = DEPLOYHOOK_STATUS_STOPPED,
};

/** deployhook_outcome: how a stopped build ended; none before it stopped. */
enum class build_outcome : int {
    none = DEPLOYHOOK_OUTCOME_NONE,
    success = DEPLOYHOOK_OUTCOME_SUCCESS,
    fail = DEPLOYHOOK_OUTCOME_FAIL,
    skipped = DEPLOYHOOK_OUTCOME_SKIPPED,
    cancelled = DEPLOYHOOK_OUTCOME_CANCELLED,
    terminated = DEPLOYHOOK_OUTCOME_TERMINATED,
    unknown = DEPLOYHOOK_OUTCOME_UNKNOWN,
};

/** deployhook_event: what a wait's callback hears. */
enum class event_kind : int {
    status = DEPLOYHOOK_EVENT_STATUS,
    log = DEPLOYHOOK_EVENT_LOG,
};

/** The library's name of a code, e.g. "DEPLOYHOOK_ERR_NOT_FOUND" (deployhook_error_name). */
inline std::string_view name(error_code code) noexcept { return deployhook_error_name(static_cast<int>(code)); }
/** The API's word for a status, e.g. "queued" (deployhook_status_name). */
inline std::string_view name(build_status status) noexcept { return deployhook_status_name(static_cast<int>(status)); }
/** The API's word for an outcome, e.g. "success", "none" (deployhook_outcome_name). */
inline std::string_view name(build_outcome outcome) noexcept {
    return deployhook_outcome_name(static_cast<int>(outcome));
}
/** The library's version, e.g. "0.2.0" (deployhook_version). */
inline std::string_view version() noexcept { return deployhook_version(); }
/** The version as major * 1000000 + minor * 1000 + patch (deployhook_version_number). */
inline int version_number() noexcept { return deployhook_version_number(); }

/** Frees a deployhook_result (std::unique_ptr's deleter). */
struct result_deleter {
    void operator()(deployhook_result *result) const noexcept { deployhook_free_result(result); }
};
/** Frees a deployhook_options (std::unique_ptr's or std::shared_ptr's deleter). */
struct options_deleter {
    void operator()(deployhook_options *options) const noexcept { deployhook_options_free(options); }
};
using result_ptr = std::unique_ptr<deployhook_result, result_deleter>;
using options_ptr = std::unique_ptr<deployhook_options, options_deleter>;

/** A failure: the code, the library's message (what()), and what the last answer carried. */
class error : public std::runtime_error {
public:
    error(error_code code, const std::string &message, std::optional<int> api_code = std::nullopt,
          std::optional<int> http_status = std::nullopt, std::optional<std::string> cf_ray = std::nullopt,
          std::optional<std::string> build_uuid = std::nullopt)
        : std::runtime_error(message),
          details_(std::make_shared<const details>(
              details{code, api_code, http_status, std::move(cf_ray), std::move(build_uuid)})) {}

    /** The kind of failure. */
    error_code code() const noexcept { return details_->code; }
    /** Cloudflare's first error code from the answer (e.g. 12000), when it carried one. */
    std::optional<int> api_code() const noexcept { return details_->api_code; }
    /** The HTTP status of the last answer, when one arrived. */
    std::optional<int> http_status() const noexcept { return details_->http_status; }
    /** The cf-ray header of the last answer (Cloudflare's request id, for support), when present. */
    const std::optional<std::string> &cf_ray() const noexcept { return details_->cf_ray; }
    /** The build the failed call was about, when known (trigger_and_wait: the build its trigger started). */
    const std::optional<std::string> &build_uuid() const noexcept { return details_->build_uuid; }

private:
    struct details {
        error_code code;
        std::optional<int> api_code, http_status;
        std::optional<std::string> cf_ray, build_uuid;
    };
    std::shared_ptr<const details> details_;  // shared: copying an exception does not throw
};

namespace detail {

inline std::optional<std::string> text(const char *value) {
    return value != nullptr ? std::optional<std::string>(value) : std::nullopt;
}

inline std::optional<int> non_zero(int value) noexcept {
    return value != 0 ? std::optional<int>(value) : std::nullopt;
}

inline std::optional<bool> tri_state(int value) noexcept {
    return value < 0 ? std::nullopt : std::optional<bool>(value > 0);
}

/** value with its terminating NUL; one holding a NUL character cannot reach C whole: an error. */
inline std::string c_string(std::string_view value, const char *what) {
    if (value.find('\0') != std::string_view::npos) {
        throw error(error_code::invalid_argument, std::string("the ") + what + " contains a NUL character");
    }
    return std::string(value);
}

/** The error a failing setter or trigger_many left: code with deployhook_last_error_message(). */
inline error last_error(int code) {
    const char *message = deployhook_last_error_message();
    return error(static_cast<error_code>(code), message != nullptr ? message : deployhook_error_name(code));
}

inline void check_setter(int code) {
    if (code != DEPLOYHOOK_OK) {
        throw last_error(code);
    }
}

/** Milliseconds as a C long, saturated (the library rejects what is out of its range). */
inline long milliseconds(std::chrono::milliseconds duration) noexcept {
    auto count = duration.count();
    if (count > LONG_MAX) return LONG_MAX;
    if (count < LONG_MIN) return LONG_MIN;
    return static_cast<long>(count);
}

}  // namespace detail

/** One trigger's, wait's or cancel's outcome, owning its deployhook_result; its accessors copy out of it. */
class result {
public:
    /** Takes ownership of result (NULL allowed: then every accessor answers as C does for NULL). */
    explicit result(deployhook_result *raw) noexcept : ptr_(raw) {}

    /** The deployhook_result, still owned by this object. */
    const deployhook_result *get() const noexcept { return ptr_.get(); }
    /** Gives up ownership: the caller frees it with deployhook_free_result(). */
    deployhook_result *release() noexcept { return ptr_.release(); }

    error_code code() const noexcept { return static_cast<error_code>(deployhook_error_code(get())); }
    bool ok() const noexcept { return code() == error_code::ok; }
    /** The library's explanation of the error; nullopt on success. */
    std::optional<std::string> error_message() const { return detail::text(deployhook_error_message(get())); }
    std::optional<int> api_code() const noexcept { return detail::non_zero(deployhook_api_error_code(get())); }
    std::optional<int> http_status() const noexcept { return detail::non_zero(deployhook_http_status(get())); }
    std::optional<std::string> cf_ray() const { return detail::text(deployhook_cf_ray(get())); }
    /** The raw body of the last answer, exactly as sent (not scrubbed: see SECURITY.md). */
    std::optional<std::string> response_body() const { return detail::text(deployhook_response_body(get())); }

    std::optional<std::string> build_uuid() const { return detail::text(deployhook_build_uuid(get())); }
    build_status status() const noexcept { return static_cast<build_status>(deployhook_build_status(get())); }
    /** Whether a build for the branch was already pending; nullopt when the answer did not say. */
    std::optional<bool> already_exists() const noexcept { return detail::tri_state(deployhook_already_exists(get())); }
    std::optional<std::string> created_on() const { return detail::text(deployhook_created_on(get())); }
    build_outcome outcome() const noexcept { return static_cast<build_outcome>(deployhook_build_outcome(get())); }
    std::optional<std::string> preview_url() const { return detail::text(deployhook_preview_url(get())); }
    std::optional<std::string> stopped_on() const { return detail::text(deployhook_stopped_on(get())); }
    /** After client::cancel: whether the build had stopped before; nullopt otherwise. */
    std::optional<bool> already_stopped() const noexcept {
        return detail::tri_state(deployhook_already_stopped(get()));
    }
    std::optional<std::string> branch() const { return detail::text(deployhook_branch(get())); }
    std::optional<std::string> commit_hash() const { return detail::text(deployhook_commit_hash(get())); }
    std::optional<std::string> commit_message() const { return detail::text(deployhook_commit_message(get())); }
    std::optional<std::string> author() const { return detail::text(deployhook_author(get())); }
    std::optional<std::string> trigger_source() const { return detail::text(deployhook_trigger_source(get())); }
    std::optional<std::string> deploy_hook_name() const { return detail::text(deployhook_deploy_hook_name(get())); }
    std::optional<std::string> trigger_name() const { return detail::text(deployhook_trigger_name(get())); }
    std::optional<std::string> initializing_on() const { return detail::text(deployhook_initializing_on(get())); }
    std::optional<std::string> running_on() const { return detail::text(deployhook_running_on(get())); }
    std::optional<std::string> modified_on() const { return detail::text(deployhook_modified_on(get())); }

    /** The error this result holds (call only when !ok()). */
    error to_error() const {
        int code = deployhook_error_code(get());
        const char *message = deployhook_error_message(get());
        return error(static_cast<error_code>(code), message != nullptr ? message : deployhook_error_name(code),
                     api_code(), http_status(), cf_ray(), build_uuid());
    }

    /** Throws to_error() unless ok(). */
    void throw_if_error() const {
        if (!ok()) {
            throw to_error();
        }
    }

private:
    result_ptr ptr_;
};

namespace detail {

/** An owned result, or std::bad_alloc for NULL; throws its error unless it succeeded. */
inline result checked(deployhook_result *raw) {
    if (raw == nullptr) {
        throw std::bad_alloc();
    }
    result owned(raw);
    owned.throw_if_error();
    return owned;
}

}  // namespace detail

/** What a wait's callback hears, on the waiting thread. text is borrowed: valid during the call only. */
struct event {
    event_kind kind;      /**< status (text: the build's UUID) or log (text: the line). */
    build_status status;  /**< The new status, or for a log line the last one reported. */
    std::string_view text;
    double timestamp;  /**< A log line's time in seconds since 1970; 0 for a status. */
};

namespace detail {

template <class F>
struct relay {
    F *on_event;
    const deployhook_options *options;
    std::exception_ptr failure;
};

/** The deployhook_wait_callback: calls the callable; no exception leaves it. */
template <class F>
void relay_event(int kind, int status, const char *text, double timestamp, void *user_data) noexcept {
    auto *state = static_cast<relay<F> *>(user_data);
    if (state->failure) {
        return;
    }
    try {
        const event heard{static_cast<event_kind>(kind), static_cast<build_status>(status),
                          text != nullptr ? std::string_view(text) : std::string_view(), timestamp};
        std::invoke(*state->on_event, heard);
    } catch (...) {
        state->failure = std::current_exception();
        deployhook_options_shut_down(state->options);
    }
}

}  // namespace detail

class interrupter;

/** Triggers hooks and follows builds with the settings of the deployhook_options it owns, reusing its
 *  connections from call to call. Movable; not copyable (dup() makes a sibling). */
class client {
public:
    /** New options holding every default (deployhook_options_new), naming the binding "cpp" in the default
     *  User-Agent; std::bad_alloc if none came. */
    client() : options_(new_options()) {}

    /** Takes ownership of options (e.g. from deployhook_options_new()); std::bad_alloc for NULL. */
    explicit client(options_ptr options) : options_(own(options.release())) {}

    client(const client &) = delete;
    client &operator=(const client &) = delete;
    client(client &&) noexcept = default;
    client &operator=(client &&) noexcept = default;
    ~client() = default;

    /** A client with the same settings, sharing this one's connections, with an interrupter of its own
     *  (deployhook_options_dup): make one call on it to be able to stop that call alone. */
    client dup() const { return client(options_ptr(deployhook_options_dup(get()))); }

    /** The deployhook_options, still owned by this client. */
    const deployhook_options *get() const noexcept { return options_.get(); }

    // Setters (deployhook_options_set_*): the library's error, with its reason, when it rejects a value.
    client &set_base_url(std::string_view url) {
        return set(deployhook_options_set_base_url(mutable_get(), detail::c_string(url, "base URL").c_str()));
    }
    client &set_timeout(std::chrono::milliseconds timeout) {
        return set(deployhook_options_set_timeout_ms(mutable_get(), detail::milliseconds(timeout)));
    }
    client &set_connect_timeout(std::chrono::milliseconds timeout) {
        return set(deployhook_options_set_connect_timeout_ms(mutable_get(), detail::milliseconds(timeout)));
    }
    client &set_max_retries(int retries) { return set(deployhook_options_set_max_retries(mutable_get(), retries)); }
    client &set_max_concurrency(int n) { return set(deployhook_options_set_max_concurrency(mutable_get(), n)); }
    client &set_ca_file(std::string_view path) {
        return set(deployhook_options_set_ca_file(mutable_get(), detail::c_string(path, "CA file name").c_str()));
    }
    client &set_user_agent(std::string_view user_agent) {
        return set(
            deployhook_options_set_user_agent(mutable_get(), detail::c_string(user_agent, "User-Agent").c_str()));
    }
    /** The API token to follow builds with: a secret, quoted by no message. */
    client &set_api_token(std::string_view token) {
        return set(deployhook_options_set_api_token(mutable_get(), detail::c_string(token, "API token").c_str()));
    }
    client &set_account_id(std::string_view account_id) {
        return set(
            deployhook_options_set_account_id(mutable_get(), detail::c_string(account_id, "account ID").c_str()));
    }
    client &set_wait_timeout(std::chrono::milliseconds timeout) {
        return set(deployhook_options_set_wait_timeout_ms(mutable_get(), detail::milliseconds(timeout)));
    }

    /** Triggers hook (its UUID or trigger URL) and returns the build (deployhook_trigger_with). */
    result trigger(std::string_view hook) const {
        return detail::checked(deployhook_trigger_with(detail::c_string(hook, "deploy hook").c_str(), get()));
    }

    /** Triggers every hook concurrently (deployhook_trigger_many): one result per hook, in input order, each
     *  ok() or holding its error. A hook holding a NUL character reaches the library as NULL and fails alone. */
    template <class Range>
    std::vector<result> trigger_many(const Range &hooks) const {
        std::vector<std::string> owned;
        std::vector<bool> whole;
        for (const auto &hook : hooks) {
            std::string_view view(hook);
            owned.emplace_back(view);
            whole.push_back(view.find('\0') == std::string_view::npos);
        }
        return trigger_many_(owned, whole);
    }
    std::vector<result> trigger_many(std::initializer_list<std::string_view> hooks) const {
        return trigger_many<std::initializer_list<std::string_view>>(hooks);
    }

    /** Waits for the build to stop (deployhook_wait); on_event(const event &) hears each status change and,
     *  with follow_logs, each new log line. Returns the stopped build or throws its error (or the callable's
     *  exception). */
    template <class F>
    result wait(std::string_view build_uuid, F &&on_event, bool follow_logs = true) const {
        std::string target = detail::c_string(build_uuid, "build UUID");
        return follow(deployhook_wait, target.c_str(), on_event, follow_logs);
    }
    /** wait() for the build a result names (NULL when it names none, which the library rejects). */
    template <class F>
    result wait(const result &build, F &&on_event, bool follow_logs = true) const {
        std::optional<std::string> target = build.build_uuid();
        return follow(deployhook_wait, target ? target->c_str() : nullptr, on_event, follow_logs);
    }
    /** wait() with no callback and no logs. */
    result wait(std::string_view build_uuid) const {
        return detail::checked(
            deployhook_wait(detail::c_string(build_uuid, "build UUID").c_str(), get(), 0, nullptr, nullptr));
    }

    /** Triggers hook, then waits for its build as wait() does (deployhook_trigger_and_wait); when the wait
     *  fails, the error's build_uuid() names the build. */
    template <class F>
    result trigger_and_wait(std::string_view hook, F &&on_event, bool follow_logs = true) const {
        std::string target = detail::c_string(hook, "deploy hook");
        return follow(deployhook_trigger_and_wait, target.c_str(), on_event, follow_logs);
    }

    /** Cancels the build (deployhook_cancel_build): returns it stopped, with its outcome and already_stopped(). */
    result cancel(std::string_view build_uuid) const {
        return detail::checked(deployhook_cancel_build(detail::c_string(build_uuid, "build UUID").c_str(), get()));
    }

private:
    friend class interrupter;
    std::shared_ptr<deployhook_options> options_;  // shared with interrupters, which may outlive the client

    static std::shared_ptr<deployhook_options> own(deployhook_options *options) {
        if (options == nullptr) {
            throw std::bad_alloc();
        }
        return std::shared_ptr<deployhook_options>(options, options_deleter());  // frees it if this throws
    }
    static std::shared_ptr<deployhook_options> new_options() {
        std::shared_ptr<deployhook_options> options = own(deployhook_options_new());
        detail::check_setter(deployhook_options_set_binding_name(options.get(), "cpp"));
        return options;
    }

    deployhook_options *mutable_get() const noexcept { return options_.get(); }

    client &set(int code) {
        detail::check_setter(code);
        return *this;
    }

    using wait_function = deployhook_result *(*)(const char *, const deployhook_options *, int,
                                                  deployhook_wait_callback, void *);

    /** Runs the wait on a linked copy of the options: the client's interrupter still reaches it, and the
     *  callable's exception shuts down that copy alone. */
    template <class F>
    result follow(wait_function function, const char *target, F &on_event, bool follow_logs) const {
        using callable = std::remove_reference_t<F>;
        options_ptr own(deployhook_options_dup_linked(get()));
        if (own == nullptr) {
            throw std::bad_alloc();
        }
        detail::relay<callable> state{&on_event, own.get(), nullptr};
        deployhook_result *raw =
            function(target, own.get(), follow_logs ? 1 : 0, &detail::relay_event<callable>, &state);
        if (state.failure) {
            result_ptr freed(raw);
            std::rethrow_exception(state.failure);
        }
        return detail::checked(raw);
    }

    std::vector<result> trigger_many_(const std::vector<std::string> &hooks, const std::vector<bool> &whole) const {
        std::vector<const char *> pointers;
        pointers.reserve(hooks.size());
        for (std::size_t i = 0; i < hooks.size(); i++) {
            pointers.push_back(whole[i] ? hooks[i].c_str() : nullptr);
        }
        std::vector<result> results;
        results.reserve(hooks.size());  // before the call: no allocation may fail while results are unowned
        std::vector<deployhook_result *> raw(hooks.size(), nullptr);
        int code = deployhook_trigger_many(pointers.data(), pointers.size(), get(), raw.data());
        if (code != DEPLOYHOOK_OK) {
            throw detail::last_error(code);
        }
        bool out_of_memory = false;
        for (deployhook_result *one : raw) {
            results.emplace_back(one);
            out_of_memory = out_of_memory || one == nullptr;
        }
        if (out_of_memory) {
            throw std::bad_alloc();  // results frees the others
        }
        return results;
    }
};

/** Ends every call in flight on one client (deployhook_options_interrupt), waits on their linked copies
 *  included, from any thread, within 100 ms, with error_code::cancelled; calls that begin afterwards are
 *  not affected. Copyable; keeps the client's
 *  options alive. interrupt() takes no lock and allocates nothing (async-signal-safe, as the C function). */
class interrupter {
public:
    explicit interrupter(const client &owner) noexcept : options_(owner.options_) {}
    void interrupt() const noexcept { deployhook_options_interrupt(options_.get()); }

private:
    std::shared_ptr<deployhook_options> options_;
};

/** Triggers hook with the library's defaults (deployhook_trigger; CLOUDFLARE_BASE_URL honoured). */
inline result trigger(std::string_view hook) {
    return detail::checked(deployhook_trigger(detail::c_string(hook, "deploy hook").c_str()));
}

}  // namespace deployhook

#endif /* DEPLOYHOOK_HPP */
