// The C++ wrapper (include/deployhook.hpp) against the test fake and the Workers Builds API emulator.
//
//   test_deployhook FAKE_BASE EMULATOR_BASE        (Tests/cpp/run.sh starts both and runs it)
//   test_deployhook --canary-leak                  leaks one result on purpose (valgrind/LSan must see it)
//
// DEPLOYHOOK_TEST_SLACK_MS adds slack to every deadline (valgrind). Ends with "N passed, N failed".
#include "deployhook.hpp"

#include <netdb.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cctype>
#include <climits>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

namespace {

using namespace std::chrono_literals;
using clock_type = std::chrono::steady_clock;
using deployhook::build_outcome;
using deployhook::build_status;
using deployhook::error_code;

std::atomic<int> checks{0}, failures{0};
const char *current_case = "";

void check_(bool ok, const char *file, int line, const char *what) {
    checks++;
    if (!ok) {
        failures++;
        std::fprintf(stderr, "%s:%d: [%s] FAILED: %s\n", file, line, current_case, what);
    }
}
#define CHECK(condition) check_(static_cast<bool>(condition), __FILE__, __LINE__, #condition)

std::string fake, emulator;
std::chrono::milliseconds slack{0};

const char *const fake_token = "fake-api-token-for-builds";
const char *const fake_account = "023e105f4ecef8ad9ca31a8372d0c353";
const char *const emulator_token = "emulator-token";
const char *const emulator_account = "0123456789abcdef0123456789abcdef";

// The fake's scenarios (Tests/fake_api/SCENARIOS.md).
const char *const ok_hook = "11111111-1111-4111-8111-111111111111";
const char *const already_exists = "33333333-3333-4333-8333-333333333333";
const char *const unknown_status = "44444444-4444-4444-8444-444444444444";
const char *const rate_limited = "55555555-5555-4555-8555-555555555555";
const char *const html_502 = "77777777-7777-4777-8777-777777777777";
const char *const api_error = "88888888-8888-4888-8888-888888888888";
const char *const truncated = "99999999-9999-4999-8999-999999999999";
const char *const drop = "bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb";
const char *const slow = "cccccccc-cccc-4ccc-8ccc-cccccccccccc";
const char *const unknown_hook = "12345678-1234-4234-8234-123456789abc";
const char *const echo_hook = "b000000f-0000-4000-8000-00000000000f";
const char *const hostile_error = "0bad0000-0000-4000-8000-000000000003";
const char *const build_full = "bd000003-0000-4000-8000-000000000003";
const char *const cancel_running = "bd000008-0000-4000-8000-000000000008";
const char *const cancel_stopped = "bd000009-0000-4000-8000-000000000009";
const char *const cancel_stopped_error = "bd00000a-0000-4000-8000-00000000000a";
const char *const slow_logs = "bd00000c-0000-4000-8000-00000000000c";

// The emulator's hooks, as run.sh registers them.
const char *const emu_success = "5a7e0001-2b4f-4c6a-9e8d-0f1a2b3c4d5e";  // success, 0.2 s phases
const char *const emu_fail = "5a7e0002-2b4f-4c6a-9e8d-0f1a2b3c4d5e";     // fail, 0.2 s phases
const char *const emu_slow = "5a7e0003-2b4f-4c6a-9e8d-0f1a2b3c4d5e";     // success, 30 s phases

std::string delayed_hook(int serial, int delay_ms) {
    char text[64];
    std::snprintf(text, sizeof text, "de1a0000-0000-4000-8000-%08d%04d", serial, delay_ms);
    return text;
}

std::string delayed_build(const std::string &hook) { return "b11d0000-0000-4000-8000-" + hook.substr(24); }

deployhook::client fake_client() {
    deployhook::client client;
    client.set_base_url(fake).set_max_retries(0).set_api_token(fake_token).set_account_id(fake_account);
    return client;
}

deployhook::client emulator_client() {
    deployhook::client client;
    client.set_base_url(emulator).set_api_token(emulator_token).set_account_id(emulator_account);
    return client;
}

/** The body of the fake's GET /_fake/requests: a JSON list of the requests it recorded (searched as text). */
std::string fake_requests() {
    std::string authority = fake.substr(std::strlen("http://"));
    authority = authority.substr(0, authority.find('/'));
    std::string host = authority.substr(0, authority.find(':')), port = authority.substr(authority.find(':') + 1);
    addrinfo hints{}, *found = nullptr;
    hints.ai_socktype = SOCK_STREAM;
    if (getaddrinfo(host.c_str(), port.c_str(), &hints, &found) != 0) return "";
    int fd = socket(found->ai_family, found->ai_socktype, found->ai_protocol);
    std::string answer;
    if (fd >= 0 && connect(fd, found->ai_addr, found->ai_addrlen) == 0) {
        std::string request = "GET /_fake/requests HTTP/1.0\r\nHost: " + authority + "\r\nConnection: close\r\n\r\n";
        if (write(fd, request.data(), request.size()) == static_cast<ssize_t>(request.size())) {
            char buffer[4096];
            for (ssize_t n; (n = read(fd, buffer, sizeof buffer)) > 0;) answer.append(buffer, static_cast<size_t>(n));
        }
    }
    if (fd >= 0) close(fd);
    freeaddrinfo(found);
    std::size_t body = answer.find("\r\n\r\n");
    return body == std::string::npos ? "" : answer.substr(body + 4);
}

/** The User-Agent of the first request the fake recorded whose path holds needle; empty when none. */
std::string user_agent_sent(const std::string &needle) {
    std::string requests = fake_requests();
    std::size_t at = requests.find(needle);
    const std::string key = "\"user-agent\":\"";
    if (at == std::string::npos || (at = requests.find(key, at)) == std::string::npos) return "";
    at += key.size();
    return requests.substr(at, requests.find('"', at) - at);
}

/** The error a call throws; error_code::ok (and a failed check) when it throws none. */
template <class Call>
deployhook::error failure(Call call) {
    try {
        call();
    } catch (const deployhook::error &error) {
        return error;
    }
    CHECK(!"the call threw no deployhook::error");
    return deployhook::error(error_code::ok, "");
}

std::string lower(std::string text) {
    for (char &c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return text;
}

std::string upper(std::string text) {
    for (char &c : text) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return text;
}

std::string bare(const std::string &text) {
    std::string out;
    for (char c : text)
        if (c != '-') out += c;
    return out;
}

/** Whether text holds any form of secret (as is, either case, without dashes). */
bool leaks(const std::string &text, const std::string &secret) {
    for (const std::string &form : {secret, lower(secret), upper(secret), lower(bare(secret)), upper(bare(secret))}) {
        if (text.find(form) != std::string::npos) return true;
    }
    return false;
}

/** Interrupts after `after` on another thread; returns the thread and when it interrupted. */
struct later {
    std::thread thread;
    std::shared_ptr<std::atomic<long long>> at = std::make_shared<std::atomic<long long>>(0);

    later(deployhook::interrupter stop, std::chrono::milliseconds after) {
        auto when = at;
        thread = std::thread([stop, after, when] {
            std::this_thread::sleep_for(after);
            when->store(clock_type::now().time_since_epoch().count());
            stop.interrupt();
        });
    }
    /** How long after the interrupt `ended` came. */
    std::chrono::milliseconds until(clock_type::time_point ended) {
        thread.join();
        auto interrupted = clock_type::time_point(clock_type::duration(at->load()));
        return std::chrono::duration_cast<std::chrono::milliseconds>(ended - interrupted);
    }
};

// ---- the cases ----

void types_and_names() {
    current_case = "types_and_names";
    static_assert(std::is_base_of_v<std::runtime_error, deployhook::error>);
    static_assert(std::is_nothrow_copy_constructible_v<deployhook::error>);
    static_assert(!std::is_copy_constructible_v<deployhook::client>);
    static_assert(std::is_nothrow_move_constructible_v<deployhook::client>);
    static_assert(std::is_nothrow_move_constructible_v<deployhook::result>);
    static_assert(std::is_copy_constructible_v<deployhook::interrupter>);
    static_assert(sizeof(deployhook::result) == sizeof(deployhook_result *), "a unique_ptr and nothing else");
    CHECK(deployhook::version() == DEPLOYHOOK_VERSION);
    CHECK(deployhook::version_number() == DEPLOYHOOK_VERSION_NUMBER);
    CHECK(deployhook::name(error_code::not_found) == "DEPLOYHOOK_ERR_NOT_FOUND");
    CHECK(deployhook::name(error_code::no_credentials) == "DEPLOYHOOK_ERR_NO_CREDENTIALS");
    CHECK(deployhook::name(static_cast<error_code>(99)) == "DEPLOYHOOK_ERR_UNKNOWN");  // appended codes
    CHECK(deployhook::name(build_status::queued) == "queued");
    CHECK(deployhook::name(static_cast<build_status>(42)) == "unknown");
    CHECK(deployhook::name(build_outcome::none) == "none");
    CHECK(deployhook::name(static_cast<build_outcome>(42)) == "unknown");
    // The deleters: a unique_ptr of each frees its object.
    deployhook::options_ptr options(deployhook_options_new());
    CHECK(options != nullptr);
    deployhook::result_ptr raw(deployhook_trigger_with("not-a-hook", options.get()));
    CHECK(deployhook_error_code(raw.get()) == DEPLOYHOOK_ERR_INVALID_ARGUMENT);
    deployhook::client adopted(std::move(options));
    CHECK(adopted.get() != nullptr);
}

void trigger_returns_the_build() {
    current_case = "trigger_returns_the_build";
    deployhook::client client = fake_client();
    deployhook::result build = client.trigger(ok_hook);
    CHECK(build.ok());
    CHECK(build.build_uuid() == "182bd5e5-6e1a-4fe4-a799-aa6d9a6ab26e");
    CHECK(build.status() == build_status::queued);
    CHECK(build.already_exists() == false);
    CHECK(build.created_on() == "2019-12-27T18:11:19.117Z");
    CHECK(build.cf_ray() && build.cf_ray()->size() == 20);
    CHECK(build.http_status() == 200);
    CHECK(build.outcome() == build_outcome::none);
    CHECK(!build.already_stopped());
    CHECK(!build.error_message());
    CHECK(build.response_body() && build.response_body()->rfind("{\"success\":true", 0) == 0);
    CHECK(client.trigger(already_exists).already_exists() == true);
    CHECK(client.trigger(unknown_status).status() == build_status::unknown);
    // Moving a result moves ownership.
    deployhook::result moved = std::move(build);
    CHECK(moved.build_uuid().has_value());
    CHECK(build.get() == nullptr);
    deployhook_free_result(moved.release());
}

void every_error_kind() {
    current_case = "every_error_kind";
    deployhook::client client = fake_client();
    auto trigger = [&client](const char *hook) { return failure([&] { client.trigger(hook); }); };

    deployhook::error invalid = trigger("not-a-hook");
    CHECK(invalid.code() == error_code::invalid_argument);
    CHECK(std::strstr(invalid.what(), "not a UUID") != nullptr);
    CHECK(!invalid.api_code() && !invalid.http_status() && !invalid.cf_ray());

    deployhook::error not_found = trigger(unknown_hook);
    CHECK(not_found.code() == error_code::not_found);
    CHECK(not_found.api_code() == 12000 && not_found.http_status() == 404);
    CHECK(not_found.cf_ray() && not_found.cf_ray()->find("-SJC") != std::string::npos);

    deployhook::error limited = trigger(rate_limited);
    CHECK(limited.code() == error_code::rate_limited);
    CHECK(limited.api_code() == 12051 && limited.http_status() == 429);

    deployhook::error api = trigger(api_error);
    CHECK(api.code() == error_code::api && api.api_code() == 10000 && api.http_status() == 403);

    deployhook::error http = trigger(html_502);
    CHECK(http.code() == error_code::http && !http.api_code() && http.http_status() == 502);

    CHECK(trigger(drop).code() == error_code::network);
    CHECK(trigger(truncated).code() == error_code::response);

    deployhook::client quick;
    quick.set_base_url(fake).set_max_retries(0).set_timeout(300ms);
    auto started = clock_type::now();
    CHECK(failure([&] { quick.trigger(slow); }).code() == error_code::timeout);
    CHECK(clock_type::now() - started < 3s + slack);

    deployhook::client tls;
    tls.set_base_url("https://" + fake.substr(std::strlen("http://"))).set_max_retries(0);
    CHECK(failure([&] { tls.trigger(ok_hook); }).code() == error_code::tls);

    deployhook::client refused;  // nothing listens on loopback's port 9
    refused.set_base_url("http://127.0.0.1:9/client/v4").set_max_retries(0);
    CHECK(failure([&] { refused.trigger(ok_hook); }).code() == error_code::network);

    // No token or account (run.sh unsets CLOUDFLARE_API_TOKEN and CLOUDFLARE_ACCOUNT_ID): nothing is sent.
    deployhook::client anonymous;
    anonymous.set_base_url(fake);
    deployhook::error none = failure([&] { anonymous.wait(build_full); });
    CHECK(none.code() == error_code::no_credentials);
    CHECK(none.build_uuid() == build_full);
    CHECK(failure([&] { anonymous.cancel(build_full); }).code() == error_code::no_credentials);

    // The module-level trigger, with the defaults.
    CHECK(failure([] { deployhook::trigger("not-a-hook"); }).code() == error_code::invalid_argument);
}

void rejected_settings() {
    current_case = "rejected_settings";
    deployhook::client client;
    deployhook::error url = failure([&] { client.set_base_url("ftp://example.com"); });
    CHECK(url.code() == error_code::invalid_argument);
    CHECK(std::strstr(url.what(), "base URL") != nullptr);
    CHECK(std::strstr(failure([&] { client.set_timeout(0ms); }).what(), "timeout") != nullptr);
    CHECK(failure([&] { client.set_connect_timeout(std::chrono::hours(100)); }).code() == error_code::invalid_argument);
    CHECK(failure([&] { client.set_max_retries(-1); }).code() == error_code::invalid_argument);
    CHECK(failure([&] { client.set_max_concurrency(0); }).code() == error_code::invalid_argument);
    CHECK(failure([&] { client.set_ca_file("/nonexistent/ca.pem"); }).code() == error_code::invalid_argument);
    CHECK(failure([&] { client.set_user_agent(""); }).code() == error_code::invalid_argument);
    CHECK(failure([&] { client.set_account_id("not an account!"); }).code() == error_code::invalid_argument);
    CHECK(failure([&] { client.set_wait_timeout(std::chrono::milliseconds(LONG_MAX)); }).code() ==
          error_code::invalid_argument);
    deployhook::error token = failure([&] { client.set_api_token("bad token \x01with-secret-part"); });
    CHECK(token.code() == error_code::invalid_argument);
    CHECK(std::strstr(token.what(), "secret-part") == nullptr);
    // A NUL cannot reach C: an error that quotes nothing, and the setting is unchanged.
    using namespace std::string_literals;
    deployhook::error nul = failure([&] { client.set_api_token("abc\0def"s); });
    CHECK(nul.code() == error_code::invalid_argument && std::strstr(nul.what(), "abc") == nullptr);
    CHECK(failure([&] { client.trigger(std::string(ok_hook) + "\0tail"s); }).code() == error_code::invalid_argument);
    // A rejected value changes nothing: the client still works.
    client.set_base_url(fake).set_max_retries(0);
    CHECK(client.trigger(ok_hook).ok());
}

void trigger_many_keeps_input_order() {
    current_case = "trigger_many_keeps_input_order";
    deployhook::client client = fake_client();
    std::vector<std::string> hooks;
    for (int i = 0; i < 6; i++) hooks.push_back(delayed_hook(200 + i, 300 - 50 * i));  // later ones answer sooner
    hooks.insert(hooks.begin() + 2, "not-a-hook");
    using namespace std::string_literals;
    hooks.insert(hooks.begin() + 4, std::string(ok_hook) + "\0"s);
    hooks.push_back(unknown_hook);
    auto started = clock_type::now();
    std::vector<deployhook::result> results = client.trigger_many(hooks);
    CHECK(clock_type::now() - started < 1500ms + slack * 4);
    CHECK(results.size() == hooks.size());
    for (std::size_t i = 0; i < hooks.size() && i < results.size(); i++) {
        if (hooks[i].rfind("de1a", 0) == 0) {
            CHECK(results[i].ok());
            CHECK(results[i].build_uuid() == delayed_build(hooks[i]));
        }
    }
    CHECK(results[2].code() == error_code::invalid_argument);
    CHECK(results[2].error_message() && results[2].error_message()->find("not a UUID") != std::string::npos);
    CHECK(results[4].code() == error_code::invalid_argument);  // reached the library as NULL
    CHECK(results[8].code() == error_code::not_found && results[8].to_error().api_code() == 12000);
    CHECK(failure([&] { results[8].throw_if_error(); }).code() == error_code::not_found);
    CHECK(client.trigger_many({ok_hook, already_exists}).size() == 2);
    CHECK(client.trigger_many(std::vector<const char *>{}).empty());
}

void interrupt_from_another_thread() {
    current_case = "interrupt_from_another_thread";
    deployhook::client client = fake_client();
    auto started = clock_type::now();
    later stop(deployhook::interrupter(client), 300ms);
    deployhook::error error = failure([&] { client.trigger(slow); });  // the fake answers after 5 s
    auto ended = clock_type::now();
    CHECK(error.code() == error_code::cancelled);
    CHECK(stop.until(ended) < 100ms + slack);
    CHECK(ended - started < 2s + slack);
    CHECK(client.trigger(ok_hook).ok());  // later calls are not affected
}

void interrupting_a_dup_stops_only_its_call() {
    current_case = "interrupting_a_dup_stops_only_its_call";
    deployhook::client client = fake_client();
    std::string other_hook = delayed_hook(9, 800);
    std::optional<std::string> other_build;
    std::thread other([&] {
        try {
            other_build = client.trigger(other_hook).build_uuid();
        } catch (const std::exception &) {
        }
    });
    deployhook::client call = client.dup();
    later stop(deployhook::interrupter(call), 200ms);
    CHECK(failure([&] { call.trigger(slow); }).code() == error_code::cancelled);
    CHECK(stop.until(clock_type::now()) < 100ms + slack);
    other.join();
    CHECK(other_build == delayed_build(other_hook));
    // An interrupter outlives its client.
    deployhook::interrupter kept(call);
    { deployhook::client gone = std::move(call); }
    kept.interrupt();
}

void interrupting_trigger_many_keeps_what_ended() {
    current_case = "interrupting_trigger_many_keeps_what_ended";
    deployhook::client client = fake_client();
    later stop(deployhook::interrupter(client), 400ms);
    std::vector<deployhook::result> results = client.trigger_many({ok_hook, slow});
    CHECK(stop.until(clock_type::now()) < 100ms + slack);
    CHECK(results.size() == 2 && results[0].ok() && results[1].code() == error_code::cancelled);
}

void wait_with_logs_and_build_details() {
    current_case = "wait_with_logs_and_build_details";
    deployhook::client client = fake_client();
    std::vector<std::string> lines;
    std::vector<build_status> statuses;
    deployhook::result build = client.wait(build_full, [&](const deployhook::event &event) {
        if (event.kind == deployhook::event_kind::log) {
            CHECK(event.timestamp >= 1577470282.0);
            lines.emplace_back(event.text);
        } else {
            CHECK(event.text == build_full);
            statuses.push_back(event.status);
        }
    });
    CHECK(lines.size() == 6);
    CHECK(!lines.empty() && lines.front() == "Cloning repository..." && lines.back() == "Success: deployed");
    CHECK(statuses.size() == 1 && statuses.back() == build_status::stopped);
    CHECK(build.status() == build_status::stopped);
    CHECK(build.outcome() == build_outcome::success);
    CHECK(build.preview_url() == "https://1a2b3c4d-my-worker.my-subdomain.workers.dev");
    CHECK(build.stopped_on() == "2019-12-27T18:11:51.117Z");
    CHECK(build.branch() == "main");
    CHECK(build.commit_hash() == "1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b");
    CHECK(build.commit_message() == "Fix the caf\xc3\xa9 menu\n\nAnd its prices");
    CHECK(build.author() == "ada@example.com");
    CHECK(build.trigger_source() == "deploy_hook");
    CHECK(build.deploy_hook_name() == "Production deploy hook");
    CHECK(build.trigger_name() == "Deploy default branch");
    CHECK(build.initializing_on() == "2019-12-27T18:11:20.117Z");
    CHECK(build.running_on() == "2019-12-27T18:11:21.117Z");
    CHECK(build.modified_on() == "2019-12-27T18:11:51.117Z");

    // Without logs, from a result, with a const function object.
    int heard = 0;
    const auto count = [&heard](const deployhook::event &event) {
        heard += event.kind == deployhook::event_kind::log ? 100 : 1;
    };
    CHECK(client.wait(build, count, false).outcome() == build_outcome::success);
    CHECK(heard == 1);
    struct counter {
        int *n;
        void operator()(const deployhook::event &) const { ++*n; }
    };
    CHECK(client.wait(build_full, counter{&heard}, false).ok());
    CHECK(heard == 2);
    CHECK(client.wait(build_full).outcome() == build_outcome::success);
}

void an_exception_in_the_callback_ends_the_wait_and_is_rethrown() {
    current_case = "an_exception_in_the_callback_ends_the_wait_and_is_rethrown";
    deployhook::client client = fake_client().dup();
    int calls = 0;
    auto started = clock_type::now();
    try {
        client.wait(slow_logs, [&calls](const deployhook::event &) {  // log pages that never end, 0.5 s each
            calls++;
            throw std::logic_error("the callback threw");
        });
        CHECK(!"no exception");
    } catch (const std::logic_error &error) {
        CHECK(std::strcmp(error.what(), "the callback threw") == 0);
    }
    CHECK(calls == 1);
    CHECK(clock_type::now() - started < 3s + slack * 4);
    CHECK(client.trigger(ok_hook).ok());  // the client stays usable
}

void an_exception_in_one_wait_leaves_the_other_calls_of_the_client_alone() {
    current_case = "an_exception_in_one_wait_leaves_the_other_calls_of_the_client_alone";
    const deployhook::client client = fake_client();  // no dup(): each wait gets a linked copy of its own
    const std::string hook = delayed_hook(12, 1500);
    std::optional<deployhook::result> triggered;
    std::optional<error_code> trigger_failed;
    std::thread trigger([&] {
        try {
            triggered.emplace(client.trigger(hook));
        } catch (const deployhook::error &error) {
            trigger_failed = error.code();
        }
    });
    std::atomic<bool> polled{false}, wait_ended{false};
    std::optional<error_code> wait_error;
    std::thread other([&] {  // slow_logs without logs: a running build that never stops by itself
        try {
            client.wait(slow_logs, [&](const deployhook::event &) { polled = true; }, false);
        } catch (const deployhook::error &error) {
            wait_error = error.code();
        }
        wait_ended = true;
    });
    while (!polled) std::this_thread::sleep_for(10ms);
    std::this_thread::sleep_for(200ms);  // the trigger is in flight too
    bool rethrown = false;
    try {
        client.wait(slow_logs, [](const deployhook::event &) { throw std::logic_error("one callback threw"); });
    } catch (const std::logic_error &) {
        rethrown = true;
    }
    CHECK(rethrown);
    trigger.join();
    CHECK(!trigger_failed.has_value());  // the trigger in flight on the client was not interrupted
    CHECK(triggered.has_value() && triggered->build_uuid() == delayed_build(hook));
    std::this_thread::sleep_for(300ms);
    CHECK(!wait_ended);  // the other thread's wait goes on
    // The client's interrupter reaches the waits' linked copies.
    auto interrupted = clock_type::now();
    deployhook::interrupter(client).interrupt();
    other.join();
    CHECK(wait_error == error_code::cancelled);
    CHECK(clock_type::now() - interrupted < 100ms + slack);
}

void the_default_user_agent_names_the_binding() {
    current_case = "the_default_user_agent_names_the_binding";
    const std::string hook = delayed_hook(10, 0);
    fake_client().trigger(hook);
    const std::string sent = user_agent_sent(hook);
    const std::string prefix = "deployhook/" + std::string(deployhook::version()) + " (cpp; ";
    CHECK(sent.rfind(prefix, 0) == 0 && !sent.empty() && sent.back() == ')');
#ifdef __linux__
    CHECK(sent == prefix + "linux)");
#endif
    const std::string mine = delayed_hook(11, 0);
    deployhook::client custom;
    custom.set_base_url(fake).set_user_agent("my-tool/1.0").trigger(mine);
    CHECK(user_agent_sent(mine) == "my-tool/1.0");
}

void a_callback_can_interrupt_its_own_wait() {
    current_case = "a_callback_can_interrupt_its_own_wait";
    deployhook::client client = fake_client().dup();
    deployhook::interrupter stop(client);
    int lines = 0;
    deployhook::error error = failure([&] {
        client.wait(slow_logs, [&](const deployhook::event &event) {
            if (event.kind == deployhook::event_kind::log) {
                lines++;
                stop.interrupt();
            }
        });
    });
    CHECK(error.code() == error_code::cancelled);
    CHECK(error.build_uuid() == slow_logs);
    CHECK(lines >= 1);
}

void cancel_a_build() {
    current_case = "cancel_a_build";
    deployhook::client client = fake_client();
    deployhook::result cancelled = client.cancel(cancel_running);
    CHECK(cancelled.status() == build_status::stopped);
    CHECK(cancelled.outcome() == build_outcome::cancelled);
    CHECK(cancelled.already_stopped() == false);
    CHECK(cancelled.stopped_on().has_value());
    deployhook::result stopped = client.cancel(cancel_stopped);
    CHECK(stopped.already_stopped() == true && stopped.outcome() == build_outcome::success);
    deployhook::error error = failure([&] { client.cancel(cancel_stopped_error); });
    CHECK(error.code() == error_code::api && error.api_code() == 12002 && error.http_status() == 400);
    CHECK(failure([&] { client.cancel("182bd5e5-6e1a-4fe4-a799-aa6d9a6ab26e"); }).code() == error_code::not_found);
}

void no_message_holds_a_hook_or_token() {
    current_case = "no_message_holds_a_hook_or_token";
    deployhook::client client = fake_client();
    const char *hooks[] = {ok_hook, unknown_hook, rate_limited, api_error, html_502, truncated, drop, echo_hook,
                           hostile_error};
    std::vector<std::string> texts;
    for (const char *hook : hooks) {
        for (const std::string &form : {std::string(hook), upper(hook), fake + "/workers/builds/deploy_hooks/" + hook}) {
            try {
                deployhook::result build = client.trigger(form);
                texts.push_back(build.build_uuid().value_or("") + build.cf_ray().value_or("") +
                                build.created_on().value_or(""));
            } catch (const deployhook::error &error) {
                texts.push_back(std::string(error.what()) + error.cf_ray().value_or("") + error.build_uuid().value_or(""));
            }
        }
    }
    for (const deployhook::result &one : client.trigger_many(hooks)) {
        texts.push_back(one.error_message().value_or("") + one.cf_ray().value_or("") + one.build_uuid().value_or(""));
    }
    texts.push_back(failure([&] { client.trigger_and_wait(unknown_hook, [](const deployhook::event &) {}); }).what());
    for (const std::string &text : texts) {
        for (const char *hook : hooks) CHECK(!leaks(text, hook));
        CHECK(text.find(fake_token) == std::string::npos);
    }
}

// ---- against the emulator ----

void trigger_and_wait_follows_statuses_and_logs() {
    current_case = "trigger_and_wait_follows_statuses_and_logs";
    deployhook::client client = emulator_client();
    std::vector<deployhook::event_kind> kinds;
    std::vector<build_status> statuses;
    std::vector<std::string> lines;
    deployhook::result build = client.trigger_and_wait(emu_success, [&](const deployhook::event &event) {
        kinds.push_back(event.kind);
        if (event.kind == deployhook::event_kind::status) statuses.push_back(event.status);
        else lines.emplace_back(event.text);
    });
    CHECK(build.status() == build_status::stopped && build.outcome() == build_outcome::success);
    CHECK(build.already_exists() == false);
    CHECK(build.preview_url() && build.preview_url()->find(".my-subdomain.workers.dev") != std::string::npos);
    CHECK(build.branch() == "main" && build.trigger_source() == "deploy_hook");
    CHECK(!statuses.empty() && statuses.back() == build_status::stopped);
    for (std::size_t i = 1; i < statuses.size(); i++) CHECK(statuses[i - 1] < statuses[i]);
    CHECK(!lines.empty() && lines.front() == "Cloning repository..." && lines.back() == "Success: deployed");
    CHECK(!kinds.empty() && kinds.back() == deployhook::event_kind::status);
}

void trigger_then_wait_for_a_failing_build() {
    current_case = "trigger_then_wait_for_a_failing_build";
    deployhook::client client = emulator_client();
    deployhook::result build = client.trigger(emu_fail);
    CHECK(build.status() == build_status::queued);
    int lines = 0;
    deployhook::result done = client.wait(
        build, [&](const deployhook::event &event) { lines += event.kind == deployhook::event_kind::log; }, false);
    CHECK(done.outcome() == build_outcome::fail && !done.preview_url());
    CHECK(lines == 0);
}

void wait_timeout_then_cancel() {
    current_case = "wait_timeout_then_cancel";
    deployhook::client client = emulator_client();
    client.set_wait_timeout(500ms);
    auto started = clock_type::now();
    deployhook::error error =
        failure([&] { client.trigger_and_wait(emu_slow, [](const deployhook::event &) {}, false); });
    CHECK(error.code() == error_code::wait_timeout);
    CHECK(clock_type::now() - started < 5s + slack);
    CHECK(error.build_uuid().has_value());
    if (!error.build_uuid()) return;
    deployhook::result cancelled = client.cancel(*error.build_uuid());
    CHECK(cancelled.outcome() == build_outcome::cancelled && cancelled.already_stopped() == false);
    CHECK(client.wait(*error.build_uuid()).outcome() == build_outcome::cancelled);
}

}  // namespace

int main(int argc, char **argv) {
    if (argc == 2 && std::strcmp(argv[1], "--canary-leak") == 0) {
        deployhook_result *leaked = deployhook_trigger("not-a-hook");  // never freed, on purpose
        std::printf("leaked a result: %s\n", leaked != nullptr ? "yes" : "no");
        return 0;
    }
    if (argc != 3) {
        std::fprintf(stderr, "usage: %s FAKE_BASE EMULATOR_BASE\n", argv[0]);
        return 2;
    }
    fake = argv[1];
    emulator = argv[2];
    if (const char *ms = std::getenv("DEPLOYHOOK_TEST_SLACK_MS")) slack = std::chrono::milliseconds(std::atol(ms));

    const std::pair<const char *, void (*)()> cases[] = {
        {"types_and_names", types_and_names},
        {"trigger_returns_the_build", trigger_returns_the_build},
        {"every_error_kind", every_error_kind},
        {"rejected_settings", rejected_settings},
        {"trigger_many_keeps_input_order", trigger_many_keeps_input_order},
        {"interrupt_from_another_thread", interrupt_from_another_thread},
        {"interrupting_a_dup_stops_only_its_call", interrupting_a_dup_stops_only_its_call},
        {"interrupting_trigger_many_keeps_what_ended", interrupting_trigger_many_keeps_what_ended},
        {"wait_with_logs_and_build_details", wait_with_logs_and_build_details},
        {"an_exception_in_the_callback_ends_the_wait_and_is_rethrown",
         an_exception_in_the_callback_ends_the_wait_and_is_rethrown},
        {"an_exception_in_one_wait_leaves_the_other_calls_of_the_client_alone",
         an_exception_in_one_wait_leaves_the_other_calls_of_the_client_alone},
        {"the_default_user_agent_names_the_binding", the_default_user_agent_names_the_binding},
        {"a_callback_can_interrupt_its_own_wait", a_callback_can_interrupt_its_own_wait},
        {"cancel_a_build", cancel_a_build},
        {"no_message_holds_a_hook_or_token", no_message_holds_a_hook_or_token},
        {"trigger_and_wait_follows_statuses_and_logs", trigger_and_wait_follows_statuses_and_logs},
        {"trigger_then_wait_for_a_failing_build", trigger_then_wait_for_a_failing_build},
        {"wait_timeout_then_cancel", wait_timeout_then_cancel},
    };
    for (const auto &[name, run] : cases) {
        int failed_before = failures;
        try {
            run();
        } catch (const std::exception &error) {
            current_case = name;
            check_(false, __FILE__, __LINE__, (std::string("unexpected exception: ") + error.what()).c_str());
        }
        std::printf("%s %s\n", failures == failed_before ? "ok  " : "FAIL", name);
    }
    std::fflush(stdout);
    std::printf("%d passed, %d failed\n", checks - failures, failures.load());
    return failures == 0 ? 0 : 1;
}
