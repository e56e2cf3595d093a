//! The crate against the test fake (Tests/fake_api): every error kind, build fields, trigger_many,
//! interrupting, cancel, build details, secrets. Run by bindings/rust/test.sh.

mod common;

use std::panic;
use std::sync::mpsc;
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use common::*;
use deployhook::{Build, Client, Error, ErrorKind, Event, Interrupter, Options, Outcome, Status};

fn assert_send_sync<T: Send + Sync>() {}
fn assert_clone<T: Clone>() {}

#[test]
fn types_cross_threads() {
    assert_send_sync::<Client>();
    assert_send_sync::<Interrupter>();
    assert_clone::<Interrupter>();
    assert_send_sync::<Error>();
    assert_send_sync::<Build>();
    assert_send_sync::<Options>();
    fn is_std_error<E: std::error::Error + Send + Sync + 'static>() {}
    is_std_error::<Error>();
}

#[test]
fn version_matches_header_and_crate() {
    assert_eq!(deployhook::version(), deployhook::ffi::DEPLOYHOOK_VERSION);
    assert_eq!(deployhook::version(), env!("CARGO_PKG_VERSION"));
    assert_eq!(deployhook::version_number(), deployhook::ffi::DEPLOYHOOK_VERSION_NUMBER);
}

#[test]
fn trigger_returns_the_build() {
    let build = fake_client().trigger(OK).expect("ok");
    assert_eq!(build.build_uuid.as_deref(), Some("182bd5e5-6e1a-4fe4-a799-aa6d9a6ab26e"));
    assert_eq!(build.status, Status::Queued);
    assert_eq!(build.already_exists, Some(false));
    assert_eq!(build.created_on.as_deref(), Some("2019-12-27T18:11:19.117Z"));
    assert!(build.cf_ray.as_deref().unwrap().ends_with("-SJC"));
    assert_eq!(build.http_status, Some(200));
    assert_eq!(build.outcome, None);
    assert_eq!(build.already_stopped, None);
    let body = String::from_utf8(build.response_body().unwrap().to_vec()).unwrap();
    assert!(body.starts_with("{\"success\":true"), "{}", body);

    let pending = fake_client().trigger(ALREADY_EXISTS).expect("already_exists");
    assert_eq!(pending.already_exists, Some(true));
    assert_eq!(pending.status, Status::Running);
    let paused = fake_client().trigger(UNKNOWN_STATUS).expect("unknown_status");
    assert_eq!(paused.status, Status::Unknown(0));
    assert_eq!(paused.status.name(), "unknown");
}

fn failure(client: &Client, hook: &str) -> Error {
    match client.trigger(hook) {
        Ok(build) => panic!("{} succeeded: {:?}", &hook[..4], build),
        Err(error) => error,
    }
}

#[test]
fn every_error_kind_of_a_trigger() {
    let client = fake_client();

    let invalid = failure(&client, "not-a-hook");
    assert_eq!(invalid.kind(), ErrorKind::InvalidArgument);
    assert!(invalid.to_string().contains("not a UUID"), "{}", invalid);
    assert_eq!((invalid.api_code(), invalid.http_status(), invalid.cf_ray()), (None, None, None));

    let not_found = failure(&client, UNKNOWN_HOOK);
    assert_eq!(not_found.kind(), ErrorKind::NotFound);
    assert_eq!(not_found.api_code(), Some(12000));
    assert_eq!(not_found.http_status(), Some(404));
    assert!(not_found.cf_ray().unwrap().ends_with("-SJC"));

    let limited = failure(&client, RATE_LIMITED);
    assert_eq!(limited.kind(), ErrorKind::RateLimited);
    assert_eq!((limited.api_code(), limited.http_status()), (Some(12051), Some(429)));

    let api = failure(&client, API_ERROR);
    assert_eq!(api.kind(), ErrorKind::Api);
    assert_eq!((api.api_code(), api.http_status()), (Some(10000), Some(403)));

    let http = failure(&client, HTML_502);
    assert_eq!(http.kind(), ErrorKind::Http);
    assert_eq!((http.api_code(), http.http_status()), (None, Some(502)));

    assert_eq!(failure(&client, DROP).kind(), ErrorKind::Network);
    assert_eq!(failure(&client, TRUNCATED).kind(), ErrorKind::Response);

    let quick =
        Client::new(Options::new().base_url(fake_base()).max_retries(0).timeout(Duration::from_millis(300))).unwrap();
    let started = Instant::now();
    assert_eq!(failure(&quick, SLOW).kind(), ErrorKind::Timeout);
    assert!(started.elapsed() < Duration::from_secs(3) + slack());

    let tls = Client::new(Options::new().base_url(fake_base().replace("http://", "https://")).max_retries(0)).unwrap();
    assert_eq!(failure(&tls, OK).kind(), ErrorKind::Tls);

    // Nothing listens on port 9 (discard) of loopback here: connection refused.
    let refused = Client::new(Options::new().base_url("http://127.0.0.1:9/client/v4").max_retries(0)).unwrap();
    assert_eq!(failure(&refused, OK).kind(), ErrorKind::Network);

    // Every message is the library's, and names its kind in Debug.
    for error in [&invalid, &not_found, &limited, &api, &http] {
        assert!(!error.message().is_empty());
        assert_eq!(error.to_string(), error.message());
        assert!(format!("{:?}", error).contains(&format!("{:?}", error.kind())));
    }
}

#[test]
fn no_credentials_and_internal_and_unknown_kinds() {
    // test.sh unsets CLOUDFLARE_API_TOKEN and CLOUDFLARE_ACCOUNT_ID.
    let client = Client::new(Options::new().base_url(fake_base())).unwrap();
    let error = client.wait(BUILD_FULL, |_| {}).unwrap_err();
    assert_eq!(error.kind(), ErrorKind::NoCredentials);
    assert_eq!(error.kind().code(), 13);
    let error = client.cancel(BUILD_FULL).unwrap_err();
    assert_eq!(error.kind(), ErrorKind::NoCredentials);
    // INTERNAL cannot be provoked from outside the library; its number and name map all the same.
    assert_eq!(ErrorKind::from_code(10), ErrorKind::Internal);
    assert_eq!(ErrorKind::Internal.name(), "DEPLOYHOOK_ERR_INTERNAL");
    assert_eq!(ErrorKind::from_code(1000), ErrorKind::Unknown(1000));
}

#[test]
fn rejected_options_carry_the_library_reason() {
    let error = Client::new(Options::new().base_url("ftp://example.com")).unwrap_err();
    assert_eq!(error.kind(), ErrorKind::InvalidArgument);
    assert!(error.message().contains("base URL"), "{}", error);
    let error = Client::new(Options::new().timeout(Duration::from_micros(10))).unwrap_err();
    assert!(error.message().contains("timeout"), "{}", error);
    let error = Client::new(Options::new().max_retries(1000)).unwrap_err();
    assert_eq!(error.kind(), ErrorKind::InvalidArgument);
    let error = Client::new(Options::new().max_concurrency(0)).unwrap_err();
    assert_eq!(error.kind(), ErrorKind::InvalidArgument);
    let error = Client::new(Options::new().ca_file("/nonexistent/ca.pem")).unwrap_err();
    assert_eq!(error.kind(), ErrorKind::InvalidArgument);
    let secret = "bad token \u{1}with-secret-part";
    let error = Client::new(Options::new().api_token(secret)).unwrap_err();
    assert_eq!(error.kind(), ErrorKind::InvalidArgument);
    assert!(!format!("{} {:?}", error, error).contains("secret-part"));
    let error = Client::new(Options::new().account_id("not an account!")).unwrap_err();
    assert_eq!(error.kind(), ErrorKind::InvalidArgument);
    let error = Client::new(Options::new().user_agent("")).unwrap_err();
    assert_eq!(error.kind(), ErrorKind::InvalidArgument);
    let error = Client::new(Options::new().wait_timeout(Duration::from_secs(10_000_000))).unwrap_err();
    assert_eq!(error.kind(), ErrorKind::InvalidArgument);
}

#[test]
fn a_nul_in_a_string_is_an_invalid_argument_that_quotes_nothing() {
    let client = fake_client();
    let hook = format!("{}\0tail", OK);
    let error = client.trigger(&hook).unwrap_err();
    assert_eq!(error.kind(), ErrorKind::InvalidArgument);
    assert_no_secret(&format!("{} {:?}", error, error), OK);
    assert_eq!(client.wait("bd\0", |_| {}).unwrap_err().kind(), ErrorKind::InvalidArgument);
    assert_eq!(deployhook::trigger(&hook).unwrap_err().kind(), ErrorKind::InvalidArgument);
    assert_eq!(Client::new(Options::new().api_token("a\0b")).unwrap_err().kind(), ErrorKind::InvalidArgument);
}

#[test]
fn module_trigger_uses_the_defaults() {
    let error = deployhook::trigger("not-a-hook").unwrap_err();
    assert_eq!(error.kind(), ErrorKind::InvalidArgument);
}

#[test]
fn trigger_many_keeps_input_order() {
    let client = fake_client();
    // Later hooks answer sooner: the answers arrive out of order.
    let hooks: Vec<String> = (0..6).map(|i| delayed_hook(100 + i, 300 - 50 * i)).collect();
    let mut input: Vec<String> = hooks.clone();
    input.insert(2, "not-a-hook".to_string());
    input.insert(4, format!("{}\0", OK));
    input.push(UNKNOWN_HOOK.to_string());
    let started = Instant::now();
    let results = client.trigger_many(&input).expect("trigger_many");
    assert!(started.elapsed() < Duration::from_millis(1500) + slack() * 4, "not concurrent");
    assert_eq!(results.len(), input.len());
    for (hook, result) in input.iter().zip(&results) {
        if hook.starts_with("de1a") {
            let build = result.as_ref().expect("delayed hook");
            assert_eq!(build.build_uuid.as_deref(), Some(delayed_build(hook).as_str()));
            assert_eq!(build.status, Status::Queued);
        }
    }
    assert_eq!(results[2].as_ref().unwrap_err().kind(), ErrorKind::InvalidArgument);
    assert!(results[2].as_ref().unwrap_err().message().contains("not a UUID"));
    assert_eq!(results[4].as_ref().unwrap_err().kind(), ErrorKind::InvalidArgument);
    assert_eq!(results[8].as_ref().unwrap_err().kind(), ErrorKind::NotFound);
    assert!(client.trigger_many(Vec::<&str>::new()).unwrap().is_empty());
}

/// Interrupts through `interrupter` after `after`; returns when it did.
fn interrupt_later(interrupter: Interrupter, after: Duration) -> mpsc::Receiver<Instant> {
    let (sender, receiver) = mpsc::channel();
    thread::spawn(move || {
        thread::sleep(after);
        let at = Instant::now();
        interrupter.interrupt();
        sender.send(at).unwrap();
    });
    receiver
}

#[test]
fn interrupt_from_another_thread_within_100_ms() {
    let client = fake_client();
    let started = Instant::now();
    let interrupted = interrupt_later(client.interrupter(), Duration::from_millis(300));
    let error = client.trigger(SLOW).unwrap_err(); // the fake answers after 5 s
    let ended = Instant::now();
    let at = interrupted.recv().unwrap();
    assert_eq!(error.kind(), ErrorKind::Cancelled, "{:?}", error);
    assert!(ended.duration_since(at) < Duration::from_millis(100) + slack(), "{:?}", ended.duration_since(at));
    assert!(started.elapsed() < Duration::from_secs(2) + slack());
    // The client stays usable, and later calls are not affected.
    assert!(client.trigger(OK).is_ok());
}

#[test]
fn interrupting_a_dup_stops_only_its_call() {
    let client = Arc::new(fake_client());
    let other = {
        let client = Arc::clone(&client);
        thread::spawn(move || client.trigger(&delayed_hook(7, 800)))
    };
    let call = client.dup().expect("dup");
    let interrupted = interrupt_later(call.interrupter(), Duration::from_millis(200));
    let error = call.trigger(SLOW).unwrap_err();
    let ended = Instant::now();
    assert_eq!(error.kind(), ErrorKind::Cancelled);
    assert!(ended.duration_since(interrupted.recv().unwrap()) < Duration::from_millis(100) + slack());
    let build = other.join().unwrap().expect("the other call was not interrupted");
    assert_eq!(build.build_uuid.as_deref(), Some(delayed_build(&delayed_hook(7, 800)).as_str()));
    // An interrupter outlives its client.
    let interrupter = call.interrupter();
    drop(call);
    interrupter.interrupt();
}

#[test]
fn interrupting_trigger_many_keeps_what_ended() {
    let client = fake_client();
    let interrupted = interrupt_later(client.interrupter(), Duration::from_millis(400));
    let results = client.trigger_many([OK, SLOW]).unwrap();
    let ended = Instant::now();
    assert!(ended.duration_since(interrupted.recv().unwrap()) < Duration::from_millis(100) + slack());
    assert!(results[0].is_ok());
    assert_eq!(results[1].as_ref().unwrap_err().kind(), ErrorKind::Cancelled);
}

#[test]
fn wait_with_logs_and_build_details() {
    let client = fake_client();
    let mut events = Vec::new();
    let build = client.wait(BUILD_FULL, |event| events.push(event)).expect("wait");
    let lines: Vec<&str> = events
        .iter()
        .filter_map(|event| match event {
            Event::Log { line, timestamp, .. } => {
                assert!(*timestamp >= 1577470282.0);
                Some(line.as_str())
            }
            _ => None,
        })
        .collect();
    assert_eq!(lines.len(), 6, "{:?}", events);
    assert_eq!(lines[0], "Cloning repository...");
    assert_eq!(lines[5], "Success: deployed");
    match events.last() {
        Some(Event::Status { status, build_uuid }) => {
            assert_eq!(*status, Status::Stopped);
            assert_eq!(build_uuid, BUILD_FULL);
        }
        other => panic!("last event {:?}", other),
    }
    assert_eq!(build.status, Status::Stopped);
    assert_eq!(build.outcome, Some(Outcome::Success));
    assert_eq!(build.preview_url.as_deref(), Some("https://1a2b3c4d-my-worker.my-subdomain.workers.dev"));
    assert_eq!(build.stopped_on.as_deref(), Some("2019-12-27T18:11:51.117Z"));
    assert_eq!(build.branch.as_deref(), Some("main"));
    assert_eq!(build.commit_hash.as_deref(), Some("1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b"));
    assert_eq!(build.commit_message.as_deref(), Some("Fix the café menu\n\nAnd its prices"));
    assert_eq!(build.author.as_deref(), Some("ada@example.com"));
    assert_eq!(build.trigger_source.as_deref(), Some("deploy_hook"));
    assert_eq!(build.deploy_hook_name.as_deref(), Some("Production deploy hook"));
    assert_eq!(build.trigger_name.as_deref(), Some("Deploy default branch"));
    assert_eq!(build.initializing_on.as_deref(), Some("2019-12-27T18:11:20.117Z"));
    assert_eq!(build.running_on.as_deref(), Some("2019-12-27T18:11:21.117Z"));
    assert_eq!(build.modified_on.as_deref(), Some("2019-12-27T18:11:51.117Z"));

    let mut statuses = 0;
    let quiet = client
        .wait_without_logs(BUILD_FULL, |event| {
            assert!(matches!(event, Event::Status { .. }), "{:?}", event);
            statuses += 1;
        })
        .unwrap();
    assert_eq!(statuses, 1);
    assert_eq!(quiet.outcome, Some(Outcome::Success));
    // A Build names its build too; one without a UUID reaches the library as NULL.
    assert_eq!(client.wait_without_logs(&build, |_| {}).unwrap().outcome, Some(Outcome::Success));
    let nameless = client.trigger(OK).map(|mut b| {
        b.build_uuid = None;
        b
    });
    assert_eq!(client.wait(&nameless.unwrap(), |_| {}).unwrap_err().kind(), ErrorKind::InvalidArgument);
}

#[test]
fn cancel_a_build() {
    let client = fake_client();
    let cancelled = client.cancel(CANCEL_RUNNING).expect("cancel");
    assert_eq!(cancelled.status, Status::Stopped);
    assert_eq!(cancelled.outcome, Some(Outcome::Cancelled));
    assert_eq!(cancelled.already_stopped, Some(false));
    assert!(cancelled.stopped_on.is_some());

    let stopped = client.cancel(&CANCEL_STOPPED.to_string()).expect("idempotent cancel");
    assert_eq!(stopped.already_stopped, Some(true));
    assert_eq!(stopped.outcome, Some(Outcome::Success));

    let error = client.cancel(CANCEL_STOPPED_ERROR).unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Api);
    assert_eq!((error.api_code(), error.http_status()), (Some(12002), Some(400)));

    let error = client.cancel("182bd5e5-6e1a-4fe4-a799-aa6d9a6ab26e").unwrap_err();
    assert_eq!(error.kind(), ErrorKind::NotFound);
}

#[test]
fn a_panic_in_the_closure_ends_the_wait_and_resumes_after_it() {
    let client = fake_client().dup().unwrap();
    let started = Instant::now();
    let mut calls = 0;
    let caught = panic::catch_unwind(panic::AssertUnwindSafe(|| {
        // slow_logs: a running build whose log pages never end, 0.5 s each.
        client.wait(SLOW_LOGS, |_| {
            calls += 1;
            panic!("the closure panicked");
        })
    }));
    let payload = caught.expect_err("the panic must reach the caller");
    assert_eq!(payload.downcast_ref::<&str>().copied(), Some("the closure panicked"));
    assert_eq!(calls, 1, "no event after the panic");
    assert!(started.elapsed() < Duration::from_secs(3) + slack() * 4, "{:?}", started.elapsed());
    assert!(client.trigger(OK).is_ok(), "the client stays usable");
}

#[test]
fn a_panic_in_one_wait_leaves_the_other_calls_of_the_client_alone() {
    let client = Arc::new(fake_client()); // no dup(): the wait gets a linked copy of its own
    let hook = delayed_hook(9, 1500);
    let trigger = {
        let client = Arc::clone(&client);
        let hook = hook.clone();
        thread::spawn(move || client.trigger(&hook))
    };
    let (polled, first_poll) = mpsc::channel();
    let wait = {
        let client = Arc::clone(&client);
        thread::spawn(move || {
            client.wait_without_logs(SLOW_LOGS, move |_| {
                let _ = polled.send(()); // a running build that never stops by itself
            })
        })
    };
    first_poll.recv().unwrap();
    thread::sleep(Duration::from_millis(200)); // the trigger is in flight too
    let caught =
        panic::catch_unwind(panic::AssertUnwindSafe(|| client.wait(SLOW_LOGS, |_| panic!("one closure panicked"))));
    assert!(caught.is_err(), "the panic must reach the caller");
    let build = trigger.join().unwrap().expect("the trigger in flight on the client was not interrupted");
    assert_eq!(build.build_uuid.as_deref(), Some(delayed_build(&hook).as_str()));
    thread::sleep(Duration::from_millis(300));
    assert!(!wait.is_finished(), "the other thread's wait ended with the panic");
    // The client's interrupter reaches the waits' linked copies.
    let interrupted = Instant::now();
    client.interrupter().interrupt();
    let error = wait.join().unwrap().unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Cancelled, "{:?}", error);
    assert!(interrupted.elapsed() < Duration::from_millis(100) + slack(), "{:?}", interrupted.elapsed());
}

#[test]
fn the_default_user_agent_names_the_binding() {
    let hook = delayed_hook(10, 0);
    fake_client().trigger(&hook).expect("trigger");
    let sent = user_agent_sent(&hook).expect("the request recorded");
    let prefix = format!("deployhook/{} (rust; ", deployhook::version());
    assert!(sent.starts_with(&prefix) && sent.ends_with(')'), "{}", sent);
    if cfg!(target_os = "linux") {
        assert_eq!(sent, format!("{}linux)", prefix));
    }
    let hook = delayed_hook(11, 0);
    Client::new(Options::new().base_url(fake_base()).user_agent("my-tool/1.0")).unwrap().trigger(&hook).unwrap();
    assert_eq!(user_agent_sent(&hook).as_deref(), Some("my-tool/1.0"));
}

#[test]
fn a_closure_can_interrupt_its_own_wait() {
    let client = fake_client().dup().unwrap();
    let interrupter = client.interrupter();
    let mut lines = 0;
    let error = client
        .wait(SLOW_LOGS, |event| {
            if let Event::Log { .. } = event {
                lines += 1;
                interrupter.interrupt();
            }
        })
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Cancelled);
    assert_eq!(error.build_uuid(), Some(SLOW_LOGS));
    assert!(lines >= 1);
}

#[test]
fn nothing_prints_a_hook_or_a_token() {
    let token = "secret-token-0123456789";
    let options = Options::new().base_url(fake_base()).api_token(token).account_id(FAKE_ACCOUNT);
    let shown = format!("{:?}", options);
    assert!(!shown.contains(token) && shown.contains("<redacted>"), "{}", shown);
    let client = Client::new(options.clone()).unwrap();
    let mut texts = vec![format!("{:?}", client), format!("{:?}", client.interrupter()), shown];

    let hooks = [OK, UNKNOWN_HOOK, RATE_LIMITED, API_ERROR, HTML_502, TRUNCATED, DROP, ECHO_HOOK, HOSTILE_ERROR];
    let client = fake_client();
    for hook in hooks.iter() {
        for form in
            [hook.to_string(), hook.to_uppercase(), format!("{}/workers/builds/deploy_hooks/{}", fake_base(), hook)]
        {
            match client.trigger(&form) {
                Ok(build) => texts.push(format!("{:?}", build)),
                Err(error) => texts.push(format!("{} {:?}", error, error)),
            }
        }
    }
    for result in client.trigger_many(hooks.iter()).unwrap() {
        texts.push(format!("{:?}", result));
    }
    let error = client.trigger_and_wait(UNKNOWN_HOOK, |_| {}).unwrap_err();
    texts.push(format!("{} {:?}", error, error));
    for text in &texts {
        for hook in hooks.iter() {
            assert_no_secret(text, hook);
        }
        assert!(!text.contains(token) && !text.contains(FAKE_TOKEN), "{}", text);
    }
}

/// Run by test.sh under valgrind with DEPLOYHOOK_TEST_CANARY_LEAK=1: leaks one result on purpose, so the
/// valgrind step is seen to catch a leak inside the library's allocations (else it does nothing).
#[test]
fn canary_leak() {
    if std::env::var_os("DEPLOYHOOK_TEST_CANARY_LEAK").is_none() {
        return;
    }
    let hook = std::ffi::CString::new("not-a-hook").unwrap();
    let result = unsafe { deployhook::ffi::deployhook_trigger_with(hook.as_ptr(), std::ptr::null()) };
    assert!(!result.is_null());
}
