//! Trigger a Cloudflare Workers Builds deploy hook, and optionally follow the build until it stops:
//! the Rust twin of examples/python/trigger.py (same arguments, output and exit statuses).
//!
//! Usage: trigger [--wait] [--logs] [HOOK]
//!
//! HOOK is the deploy hook's UUID or its full trigger URL. Without the argument it is read from
//! CLOUDFLARE_DEPLOY_HOOK, which is better: an argument shows in `ps` to every user of the machine.
//! CLOUDFLARE_BASE_URL, when set, replaces https://api.cloudflare.com/client/v4.
//!
//!   --wait   wait for the build to stop, printing each status it goes through. Needs an API token with
//!            Workers Builds permissions in CLOUDFLARE_API_TOKEN and the account in CLOUDFLARE_ACCOUNT_ID.
//!   --logs   also print the build's log lines as they come (implies --wait).
//!
//! Exit status: 0 when a build was started or one was already pending (with --wait: when it succeeded);
//! 20 with --wait when the build stopped without succeeding (fail, skipped, cancelled, terminated);
//! otherwise the error's code: 1 bad hook, usage or missing token/account, 2 no such hook (or build),
//! 3 rate limited, 4 Cloudflare error (e.g. a wrong token), 5 HTTP error, 6 network, 7 timeout, 8 TLS,
//! 9 malformed response, 10 internal error, 11 the build did not stop within 25 minutes.
//!
//! From the repository (after `swift build -c release`):
//!     CLOUDFLARE_DEPLOY_HOOK=<uuid> cargo run --manifest-path bindings/rust/Cargo.toml --example trigger
//! or against the emulator (`PYTHONPATH=bindings/python python3 -m deployhook.emulator`, whose demo hook is
//! 00000000-0000-4000-8000-000000000000 and whose token is emulator-token) with --wait --logs.

use std::io::Write;
use std::process::exit;

use deployhook::{Client, ErrorKind, Event, Options, Outcome};

/// The exit status when the build stopped with another outcome than success (beyond every error code).
const BUILD_DID_NOT_SUCCEED: i32 = 20;
const USAGE_ERROR: i32 = 1; // ErrorKind::InvalidArgument's code, as trigger.py uses it

fn main() {
    exit(run(std::env::args().skip(1).collect()));
}

fn run(args: Vec<String>) -> i32 {
    if args.iter().any(|a| a == "-h" || a == "--help") {
        println!("{}", HELP);
        return 0;
    }
    let logs = args.iter().any(|a| a == "--logs");
    let wait = logs || args.iter().any(|a| a == "--wait");
    let rest: Vec<&String> = args.iter().filter(|a| *a != "--wait" && *a != "--logs").collect();
    if rest.len() > 1 || rest.iter().any(|a| a.starts_with("--")) {
        eprintln!("usage: trigger [--wait] [--logs] [HOOK] (see --help)");
        return USAGE_ERROR;
    }
    let hook = match rest.first() {
        Some(hook) => hook.to_string(),
        None => std::env::var("CLOUDFLARE_DEPLOY_HOOK").unwrap_or_default(),
    };
    if hook.is_empty() {
        eprintln!("trigger: no hook: set CLOUDFLARE_DEPLOY_HOOK or pass it as the argument (see --help)");
        return USAGE_ERROR;
    }

    let outcome = Client::new(Options::new()).and_then(|client| {
        let on_event = |event: Event| {
            match event {
                Event::Status { status, .. } => println!("status {}", status),
                Event::Log { line, .. } => println!("| {}", line),
                _ => {}
            }
            let _ = std::io::stdout().flush();
        };
        if logs {
            client.trigger_and_wait(&hook, on_event)
        } else if wait {
            client.trigger_and_wait_without_logs(&hook, on_event)
        } else {
            client.trigger(&hook)
        }
    });
    let build = match outcome {
        Ok(build) => build,
        Err(error) => {
            // The message already names the HTTP status and API code.
            match error.cf_ray() {
                Some(ray) => eprintln!("trigger: {} [cf-ray {}]", error, ray),
                None => eprintln!("trigger: {}", error),
            }
            return match error.kind() {
                ErrorKind::NoCredentials => USAGE_ERROR, // trigger.py: 1 for a missing token or account
                kind => kind.code(),
            };
        }
    };
    let pending =
        if build.already_exists == Some(true) { " (a build was already pending: no new one was started)" } else { "" };
    let ended = build.outcome.map(|outcome| format!(", {}", outcome)).unwrap_or_default();
    let uuid = build.build_uuid.as_deref().unwrap_or("(no id given)");
    println!("build {}: {}{}{}", uuid, build.status, ended, pending);
    if let Some(created) = &build.created_on {
        println!("created {}", created);
    }
    if let Some(stopped) = &build.stopped_on {
        println!("stopped {}", stopped);
    }
    if let Some(preview) = &build.preview_url {
        println!("preview {}", preview);
    }
    if let Some(ray) = &build.cf_ray {
        println!("cf-ray {}", ray);
    }
    if wait && build.outcome != Some(Outcome::Success) {
        return BUILD_DID_NOT_SUCCEED;
    }
    0
}

const HELP: &str = "Trigger a Cloudflare Workers Builds deploy hook, and optionally follow the build until it stops.

Usage: trigger [--wait] [--logs] [HOOK]

HOOK is the deploy hook's UUID or its full trigger URL. Without the argument it is read from
CLOUDFLARE_DEPLOY_HOOK, which is better: an argument shows in `ps` to every user of the machine.
CLOUDFLARE_BASE_URL, when set, replaces https://api.cloudflare.com/client/v4.

  --wait   wait for the build to stop, printing each status it goes through. Needs an API token with
           Workers Builds permissions in CLOUDFLARE_API_TOKEN and the account in CLOUDFLARE_ACCOUNT_ID.
  --logs   also print the build's log lines as they come (implies --wait).

Exit status: 0 when a build was started or one was already pending (with --wait: when it succeeded);
20 with --wait when the build stopped without succeeding (fail, skipped, cancelled, terminated);
otherwise the error's code: 1 bad hook, usage or missing token/account, 2 no such hook (or build),
3 rate limited, 4 Cloudflare error (e.g. a wrong token), 5 HTTP error, 6 network, 7 timeout, 8 TLS,
9 malformed response, 10 internal error, 11 the build did not stop within 25 minutes.";
