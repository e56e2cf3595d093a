//! What the integration tests share: the servers bindings/rust/test.sh started, and their hooks.
#![allow(dead_code)]

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use deployhook::{Client, Options};

/// The test fake's API base (Tests/fake_api/fake_cloudflare.py), from DEPLOYHOOK_TEST_API_URL.
pub fn fake_base() -> String {
    server("DEPLOYHOOK_TEST_API_URL", "the test fake")
}

/// The emulator's API base (python3 -m deployhook.emulator), from DEPLOYHOOK_TEST_EMULATOR_URL.
pub fn emulator_base() -> String {
    server("DEPLOYHOOK_TEST_EMULATOR_URL", "the Workers Builds API emulator")
}

fn server(variable: &str, what: &str) -> String {
    std::env::var(variable).unwrap_or_else(|_| {
        panic!("{} is not set: run the suite with `bash bindings/rust/test.sh`, which starts {}", variable, what)
    })
}

/// The body of the fake's `GET /_fake/requests` (a JSON list of every request it received since its last
/// reset; this crate has no JSON parser: the tests look for text in it).
pub fn fake_requests() -> String {
    let base = fake_base();
    let authority = base.trim_start_matches("http://").split('/').next().unwrap().to_string();
    let mut stream = TcpStream::connect(&authority).expect("the fake");
    write!(stream, "GET /_fake/requests HTTP/1.0\r\nHost: {}\r\nConnection: close\r\n\r\n", authority).unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    let body = answer.split_once("\r\n\r\n").expect("an HTTP answer").1;
    body.to_string()
}

/// The User-Agent of the first request the fake recorded whose path holds `needle`.
pub fn user_agent_sent(needle: &str) -> Option<String> {
    let requests = fake_requests();
    let after = &requests[requests.find(needle)?..];
    let start = after.find("\"user-agent\":\"")? + "\"user-agent\":\"".len();
    Some(after[start..start + after[start..].find('"')?].to_string())
}

/// Extra time a deadline allows under valgrind (DEPLOYHOOK_TEST_SLACK_MS).
pub fn slack() -> Duration {
    let ms = std::env::var("DEPLOYHOOK_TEST_SLACK_MS").ok().and_then(|v| v.parse().ok()).unwrap_or(0);
    Duration::from_millis(ms)
}

/// The fake's build endpoints' credentials.
pub const FAKE_TOKEN: &str = "fake-api-token-for-builds";
pub const FAKE_ACCOUNT: &str = "023e105f4ecef8ad9ca31a8372d0c353";

/// The emulator's (its defaults).
pub const EMULATOR_TOKEN: &str = "emulator-token";
pub const EMULATOR_ACCOUNT: &str = "0123456789abcdef0123456789abcdef";

/// Emulator hooks, as test.sh registers them (UUID:OUTCOME:PHASE_SECONDS).
pub const EMU_SUCCESS: &str = "5a7e0001-2b4f-4c6a-9e8d-0f1a2b3c4d5e"; // success, 0.2 s phases
pub const EMU_FAIL: &str = "5a7e0002-2b4f-4c6a-9e8d-0f1a2b3c4d5e"; // fail, 0.2 s phases
pub const EMU_SLOW: &str = "5a7e0003-2b4f-4c6a-9e8d-0f1a2b3c4d5e"; // success, 30 s phases
pub const EMU_PAIR: &str = "5a7e0004-2b4f-4c6a-9e8d-0f1a2b3c4d5e"; // success, 0.2 s phases

/// Fake scenarios (Tests/fake_api/SCENARIOS.md).
pub const OK: &str = "11111111-1111-4111-8111-111111111111";
pub const ALREADY_EXISTS: &str = "33333333-3333-4333-8333-333333333333";
pub const UNKNOWN_STATUS: &str = "44444444-4444-4444-8444-444444444444";
pub const RATE_LIMITED: &str = "55555555-5555-4555-8555-555555555555";
pub const HTML_502: &str = "77777777-7777-4777-8777-777777777777";
pub const API_ERROR: &str = "88888888-8888-4888-8888-888888888888";
pub const TRUNCATED: &str = "99999999-9999-4999-8999-999999999999";
pub const DROP: &str = "bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb";
pub const SLOW: &str = "cccccccc-cccc-4ccc-8ccc-cccccccccccc";
pub const UNKNOWN_HOOK: &str = "12345678-1234-4234-8234-123456789abc";
pub const ECHO_HOOK: &str = "b000000f-0000-4000-8000-00000000000f";
pub const HOSTILE_ERROR: &str = "0bad0000-0000-4000-8000-000000000003";
pub const BUILD_FULL: &str = "bd000003-0000-4000-8000-000000000003";
pub const CANCEL_RUNNING: &str = "bd000008-0000-4000-8000-000000000008";
pub const CANCEL_STOPPED: &str = "bd000009-0000-4000-8000-000000000009";
pub const CANCEL_STOPPED_ERROR: &str = "bd00000a-0000-4000-8000-00000000000a";
pub const SLOW_LOGS: &str = "bd00000c-0000-4000-8000-00000000000c";

/// The delayed family: hook `serial`, answering after `delay_ms`; and the build UUID it answers.
pub fn delayed_hook(serial: u32, delay_ms: u32) -> String {
    format!("de1a0000-0000-4000-8000-{:08}{:04}", serial, delay_ms)
}

pub fn delayed_build(hook: &str) -> String {
    format!("b11d0000-0000-4000-8000-{}", &hook[24..])
}

/// A client of the fake with its build credentials and no retries.
pub fn fake_client() -> Client {
    Client::new(Options::new().base_url(fake_base()).max_retries(0).api_token(FAKE_TOKEN).account_id(FAKE_ACCOUNT))
        .expect("options")
}

/// A client of the emulator.
pub fn emulator_client() -> Client {
    Client::new(Options::new().base_url(emulator_base()).api_token(EMULATOR_TOKEN).account_id(EMULATOR_ACCOUNT))
        .expect("options")
}

/// Every form of a secret a leak could take: as given, upper and lower case, without its dashes.
pub fn forms(secret: &str) -> Vec<String> {
    let bare: String = secret.chars().filter(|c| *c != '-').collect();
    vec![secret.to_string(), secret.to_lowercase(), secret.to_uppercase(), bare.to_lowercase(), bare.to_uppercase()]
}

/// Panics when `text` holds any form of `secret`.
pub fn assert_no_secret(text: &str, secret: &str) {
    for form in forms(secret) {
        assert!(!text.contains(&form), "a secret leaked into {:?}", text);
    }
}
