//! Rate limits as a suite meets them, run the way users run it (see
//! `child.rs`): a free-tier window that refuses with 429 and a lying
//! `retry-after: 1`, and many test processes (nextest) drawing from one
//! quota.
//!
//! The minute-long acceptance runs are `#[ignore]`d; run them with
//! `cargo test -p llama-test --test end_to_end -- --ignored full_size`.

use std::path::Path;
use std::time::{Duration, Instant};

use crate::child::{Child, ChildRun, is_child, start_sim_with};
use llama_test::sim::SimLlamaApi;

const MINUTE: Duration = Duration::from_secs(60);

mod probes {
    use llama_test::prelude::*;

    /// Twelve evals, one request each.
    #[llama_eval(
        model = "Llama-3.3-70B-Instruct",
        prompt = "rate probe {{n}}",
        case(name = "n01", n = "1"),
        case(name = "n02", n = "2"),
        case(name = "n03", n = "3"),
        case(name = "n04", n = "4"),
        case(name = "n05", n = "5"),
        case(name = "n06", n = "6"),
        case(name = "n07", n = "7"),
        case(name = "n08", n = "8"),
        case(name = "n09", n = "9"),
        case(name = "n10", n = "10"),
        case(name = "n11", n = "11"),
        case(name = "n12", n = "12"),
        assert(contains = "rate probe")
    )]
    #[ignore = "a probe for the rate-limit driver tests; they run it in a child process"]
    fn twelve() {}

    /// One request: what each of many processes sends.
    #[llama_eval(
        model = "Llama-3.3-70B-Instruct",
        prompt = "shared quota probe",
        assert(contains = "shared quota probe")
    )]
    #[ignore = "a probe for the rate-limit driver tests; they run it in a child process"]
    fn one() {}

    /// Five requests.
    #[llama_eval(
        model = "Llama-3.3-70B-Instruct",
        prompt = "shared quota probe {{n}}",
        case(name = "a", n = "a"),
        case(name = "b", n = "b"),
        case(name = "c", n = "c"),
        case(name = "d", n = "d"),
        case(name = "e", n = "e"),
        assert(contains = "shared quota probe")
    )]
    #[ignore = "a probe for the rate-limit driver tests; they run it in a child process"]
    fn five() {}
}

/// The stand-in free tier of issue 14: 8 requests in any sliding minute,
/// the rest answered 429 with `retry-after: 1` and
/// `x-ratelimit-remaining-requests: 0`.
fn free_tier() -> SimLlamaApi {
    start_sim_with(
        SimLlamaApi::builder()
            .enforce_rpm(8)
            .window_retry_after(Duration::from_secs(1)),
    )
}

fn record_twelve(sim: &SimLlamaApi, fixtures: &Path, wait: Option<&str>) -> ChildRun {
    let child = Child::matching("rate_limits::probes::twelve::")
        .record(sim)
        .fixtures(fixtures);
    match wait {
        Some(wait) => child.env("LLAMA_TEST_RATE_LIMIT_WAIT", wait),
        None => child,
    }
    .run()
}

/// Acceptance: recording 12 evals against the 8 RPM window waits the
/// window out instead of failing: 0 failed, a bit over one minute.
#[test]
#[ignore = "takes a minute: cargo test -p llama-test --test end_to_end -- --ignored full_size"]
fn full_size_twelve_evals_wait_out_an_8_rpm_window() {
    if is_child() {
        return;
    }
    let sim = free_tier();
    let fixtures = tempfile::tempdir().unwrap();
    let started = Instant::now();
    let child = record_twelve(&sim, fixtures.path(), None);
    let took = started.elapsed();
    child.assert_counts(12, 0);
    let sent = sim.request_count_for("/v1/chat/completions");
    eprintln!(
        "12 evals against 8 RPM with retry-after: 1: {:.1} s, {sent} requests ({} refused), \
         at most {} in any minute",
        took.as_secs_f64(),
        sent - 12,
        sim.max_chat_requests_within(MINUTE)
    );
    assert!(took >= MINUTE && took < Duration::from_secs(90), "{took:?}");
    assert_eq!(std::fs::read_dir(fixtures.path()).unwrap().count(), 12);
}

/// The same run with a 3 s budget: the 8 that fit pass, the 4 that would
/// wait a minute are ERRORs naming the provider, the limit headers last
/// seen and the variable that raises the budget; the run ends in seconds.
#[test]
fn a_spent_wait_budget_is_an_error_naming_provider_headers_and_variable() {
    if is_child() {
        return;
    }
    let sim = free_tier();
    let fixtures = tempfile::tempdir().unwrap();
    // The child inherits it; the fixtures it records must follow it.
    #[cfg(unix)]
    unsafe {
        libc::umask(0o022);
    }
    let started = Instant::now();
    let child = record_twelve(&sim, fixtures.path(), Some("3"));
    assert!(started.elapsed() < Duration::from_secs(40), "{child}");
    child.assert_counts(8, 4);
    let failed: Vec<&str> = child
        .stdout
        .lines()
        .filter_map(|l| l.strip_prefix("test "))
        .filter_map(|l| l.strip_suffix(" ... FAILED"))
        .collect();
    assert_eq!(failed.len(), 4, "{child}");
    for test in failed {
        let failure = child.failure_of(test);
        for part in [
            "llama-test ERROR",
            "rate limited: provider `llamaapi`",
            "x-ratelimit-remaining-requests: 0",
            "LLAMA_TEST_RATE_LIMIT_WAIT",
        ] {
            assert!(failure.contains(part), "{part:?} not in {failure}");
        }
    }
    // Eight fixtures, 0644 under umask 022; a failed test writes none.
    let written: Vec<_> = std::fs::read_dir(fixtures.path()).unwrap().collect();
    assert_eq!(written.len(), 8);
    #[cfg(unix)]
    for entry in written {
        use std::os::unix::fs::PermissionsExt;
        let mode = entry.unwrap().metadata().unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o644);
    }
}

/// `processes` children at once, each running the ignored tests matching
/// `filter` live against `sim`, with `env` on top.
fn run_processes(
    sim: &SimLlamaApi,
    processes: usize,
    filter: &str,
    env: &[(&str, &str)],
) -> Vec<ChildRun> {
    let handles: Vec<_> = (0..processes)
        .map(|_| {
            let mut child = Child::matching(filter).live(sim);
            for (name, value) in env {
                child = child.env(name, value);
            }
            std::thread::spawn(move || child.run())
        })
        .collect();
    handles.into_iter().map(|h| h.join().unwrap()).collect()
}

fn passed_and_failed(runs: &[ChildRun]) -> (usize, usize) {
    runs.iter().fold((0, 0), |(p, f), run| {
        let (rp, rf) = run.counts();
        (p + rp, f + rf)
    })
}

/// 32 processes (as nextest starts them: `NEXTEST` set) against a server
/// allowing 30 requests in any minute, each sending one request with a 5 s
/// budget: together they send exactly 30, none refused, and the 2 that
/// cannot fit in the minute fail with the budget error. Without the shared
/// state every process thinks it has the whole quota: all 32 go out and
/// the server refuses 2.
#[test]
fn test_processes_share_one_quota() {
    if is_child() {
        return;
    }
    let limits = tempfile::tempdir().unwrap();
    let dir = limits.path().to_str().unwrap();
    let shared_env = [
        ("NEXTEST", "1"),
        ("LLAMA_TEST_LIMITS_DIR", dir),
        ("LLAMA_TEST_LLAMAAPI_RPM", "30"),
        ("LLAMA_TEST_RATE_LIMIT_WAIT", "5"),
    ];
    let sim = start_sim_with(SimLlamaApi::builder().enforce_rpm(30));
    let runs = run_processes(&sim, 32, "rate_limits::probes::one", &shared_env);
    assert_eq!(passed_and_failed(&runs), (30, 2));
    assert_eq!(sim.request_count_for("/v1/chat/completions"), 30);
    assert!(sim.max_chat_requests_within(MINUTE) <= 30);
    let failure = runs
        .iter()
        .find(|r| !r.success)
        .map(|r| r.failure_of("rate_limits::probes::one"))
        .unwrap();
    for part in [
        "rate limited: provider `llamaapi`",
        "30 requests/min in force",
        "shared by the test processes on this machine",
        "LLAMA_TEST_RATE_LIMIT_WAIT",
    ] {
        assert!(failure.contains(part), "{part:?} not in {failure}");
    }

    // The same without sharing: 32 processes, 32 requests sent.
    let sim = start_sim_with(SimLlamaApi::builder().enforce_rpm(30));
    let mut alone = shared_env;
    alone[0] = ("LLAMA_TEST_SHARED_LIMITS", "0");
    let runs = run_processes(&sim, 32, "rate_limits::probes::one", &alone);
    assert_eq!(passed_and_failed(&runs), (30, 2));
    assert_eq!(sim.request_count_for("/v1/chat/completions"), 32);
}

/// Acceptance at full size: 32 processes, five requests each, against a
/// server allowing 120 requests per minute: at most 120 leave in any 60 s.
#[test]
#[ignore = "takes a minute: cargo test -p llama-test --test end_to_end -- --ignored full_size"]
fn full_size_32_processes_stay_within_120_rpm() {
    if is_child() {
        return;
    }
    let limits = tempfile::tempdir().unwrap();
    let env = [
        ("NEXTEST", "1"),
        ("LLAMA_TEST_LIMITS_DIR", limits.path().to_str().unwrap()),
        ("LLAMA_TEST_LLAMAAPI_RPM", "120"),
    ];
    let sim = start_sim_with(SimLlamaApi::builder().enforce_rpm(120));
    let started = Instant::now();
    let runs = run_processes(&sim, 32, "rate_limits::probes::five::", &env);
    let took = started.elapsed();
    let sent = sim.request_count_for("/v1/chat/completions");
    let peak = sim.max_chat_requests_within(MINUTE);
    eprintln!(
        "32 processes x 5 requests against 120 RPM: {:.1} s, {sent} requests sent, at most \
         {peak} in any 60 s",
        took.as_secs_f64()
    );
    assert_eq!(passed_and_failed(&runs), (160, 0));
    assert_eq!(sent, 160, "none refused");
    assert!(peak <= 120, "{peak}");
}
