//! Following builds against the Workers Builds API emulator (python3 -m deployhook.emulator), started by
//! bindings/rust/test.sh with the hooks of tests/common/mod.rs.

mod common;

use std::time::{Duration, Instant};

use common::*;
use deployhook::{Client, ErrorKind, Event, Options, Outcome, Status};

fn statuses(events: &[Event]) -> Vec<Status> {
    events
        .iter()
        .filter_map(|event| match event {
            Event::Status { status, .. } => Some(*status),
            _ => None,
        })
        .collect()
}

fn lines(events: &[Event]) -> Vec<String> {
    events
        .iter()
        .filter_map(|event| match event {
            Event::Log { line, .. } => Some(line.clone()),
            _ => None,
        })
        .collect()
}

#[test]
fn trigger_and_wait_follows_statuses_and_logs() {
    let client = emulator_client();
    let mut events = Vec::new();
    let build = client.trigger_and_wait(EMU_SUCCESS, |event| events.push(event)).expect("trigger_and_wait");
    assert_eq!(build.status, Status::Stopped);
    assert_eq!(build.outcome, Some(Outcome::Success));
    assert_eq!(build.already_exists, Some(false));
    assert!(build.preview_url.as_deref().unwrap().ends_with(".my-subdomain.workers.dev"));
    assert!(build.stopped_on.is_some() && build.running_on.is_some() && build.initializing_on.is_some());
    assert_eq!(build.branch.as_deref(), Some("main"));
    assert_eq!(build.trigger_source.as_deref(), Some("deploy_hook"));
    let seen = statuses(&events);
    assert_eq!(seen.last(), Some(&Status::Stopped), "{:?}", events);
    assert!(seen.windows(2).all(|pair| pair[0].code() < pair[1].code()), "in order: {:?}", seen);
    let logs = lines(&events);
    assert_eq!(logs.first().map(String::as_str), Some("Cloning repository..."), "{:?}", events);
    assert_eq!(logs.last().map(String::as_str), Some("Success: deployed"));
    // The last lines come before the STOPPED event, and nothing after it.
    assert!(matches!(events.last(), Some(Event::Status { status: Status::Stopped, .. })));
}

#[test]
fn trigger_then_wait_for_a_failing_build() {
    let client = emulator_client();
    let build = client.trigger(EMU_FAIL).expect("trigger");
    assert_eq!(build.status, Status::Queued);
    let mut events = Vec::new();
    let done = client.wait_without_logs(&build, |event| events.push(event)).expect("wait");
    assert_eq!(done.outcome, Some(Outcome::Fail));
    assert_eq!(done.preview_url, None);
    assert!(lines(&events).is_empty(), "no logs fetched: {:?}", events);
    assert_eq!(statuses(&events).last(), Some(&Status::Stopped));
}

#[test]
fn wait_timeout_then_cancel() {
    let client = Client::new(
        Options::new()
            .base_url(emulator_base())
            .api_token(EMULATOR_TOKEN)
            .account_id(EMULATOR_ACCOUNT)
            .wait_timeout(Duration::from_millis(500)),
    )
    .unwrap();
    let started = Instant::now();
    let error = client.trigger_and_wait_without_logs(EMU_SLOW, |_| {}).unwrap_err();
    assert_eq!(error.kind(), ErrorKind::WaitTimeout, "{:?}", error);
    assert!(started.elapsed() < Duration::from_secs(5) + slack());
    let build_uuid = error.build_uuid().expect("the wait error names the build").to_string();
    let cancelled = client.cancel(build_uuid.as_str()).expect("cancel");
    assert_eq!(cancelled.outcome, Some(Outcome::Cancelled));
    assert_eq!(cancelled.already_stopped, Some(false));
    let again = client.cancel(build_uuid.as_str()).expect("cancel again");
    assert_eq!(again.outcome, Some(Outcome::Cancelled));
    assert_eq!(again.stopped_on, cancelled.stopped_on);
    let done = client.wait(build_uuid.as_str(), |_| {}).expect("a cancelled build has stopped");
    assert_eq!(done.outcome, Some(Outcome::Cancelled));
}

#[test]
fn a_wrong_token_or_account_is_an_api_error() {
    let client =
        Client::new(Options::new().base_url(emulator_base()).api_token("wrong-token").account_id(EMULATOR_ACCOUNT))
            .unwrap();
    let error = client.trigger_and_wait(EMU_PAIR, |_| {}).unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Api);
    assert_eq!((error.api_code(), error.http_status()), (Some(10000), Some(403)));
    assert!(error.build_uuid().is_some(), "the trigger went through: {:?}", error);
    assert!(!format!("{} {:?}", error, error).contains("wrong-token"));
}
