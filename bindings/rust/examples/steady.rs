//! benchmarks/steady_deployhook.c through the crate: one client (the API base set), one untimed warm-up
//! trigger, then COUNT sequential triggers, each checked for a queued build. Prints the seconds they took.
//!
//! Usage: cargo run --release --example steady -- BASE_URL HOOK COUNT

use std::time::Instant;

use deployhook::{Client, Options, Status};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.len() != 3 {
        eprintln!("usage: steady BASE_URL HOOK COUNT");
        std::process::exit(2);
    }
    let count: u64 = args[2].parse().expect("COUNT");
    let client = Client::new(Options::new().base_url(args[0].as_str())).expect("options");
    let trigger_once = || match client.trigger(&args[1]) {
        Ok(build) if build.status == Status::Queued => {}
        Ok(build) => panic!("steady: status {}", build.status),
        Err(error) => panic!("steady: trigger failed: {}", error.kind()),
    };
    trigger_once(); // warm-up: one-time initialisation, first connection
    let start = Instant::now();
    for _ in 0..count {
        trigger_once();
    }
    println!("{:.6}", start.elapsed().as_secs_f64());
}
