//! Issue 6 benchmark: the suite-wide prefetch. The 300 evals of
//! `tests/evals300.rs` (the test binary `replay300` replays) run in `live`
//! mode against the simulated Llama API at 500 ms latency, as a plain
//! libtest binary with its default test threads, timed from spawn to exit.
//!
//! ```sh
//! cargo run --release -p llama-test-bench --bin live300
//! # or pick scenarios (and `--debug` for a dev-profile test binary):
//! cargo run --release -p llama-test-bench --bin live300 -- prefetch enforced window
//! ```
//!
//! Scenarios, each against a fresh simulator:
//! - `prefetch`: prefetch on, no server-side limit;
//! - `enforced`: prefetch on, the simulator allows 3,000 requests in any
//!   sliding minute and answers 429 + `retry-after` beyond;
//! - `storm`: as `enforced`, plus the first 150 requests refused with 429
//!   and `retry-after: 1`;
//! - `baseline`: as `enforced` with `LLAMA_TEST_PREFETCH=0` (each test
//!   thread sends its own request: the behaviour without the prefetch),
//!   the same-run reference for `enforced`;
//! - `window` (not in the default set, takes a minute): the simulator
//!   allows only 250 requests per minute, so 50 requests wait for the
//!   window (`retry-after` near 60 s);
//! - `record` and `record-fsync` (issue 14; not in the default set): the
//!   same 300 as `prefetch` in `record` mode, writing 300 fixtures to a
//!   temporary directory on the target's disk: as written now (atomic
//!   rename, no fsync on the test thread), and with
//!   `LLAMA_TEST_FIXTURE_FSYNC=1` (an `fsync` per fixture on the test
//!   thread, as before). With `--busy-disk` a background thread keeps the
//!   disk flushing (64 MiB writes, each `fsync`ed) during these runs.
//!
//! The bound is the rate limit: 300 requests at 3,000 RPM spread evenly
//! take 6.0 s; the target for `prefetch` and `enforced` is at most 1.25
//! times that.

use std::path::Path;
use std::process::ExitCode;
use std::time::Duration;

use llama_test::sim::SimLlamaApi;
use llama_test_bench::cargo::{Result, build_bench_tests, test_binary};
use llama_test_bench::generate::DEFAULT_COUNT;
use llama_test_bench::measure::{self, Measured};

const LATENCY: Duration = Duration::from_millis(500);
/// The Llama API's published limit, which the simulator enforces.
const RPM: u32 = 3_000;
/// 300 requests spread evenly over a minute of 3,000: 6.0 s.
const BOUND_SECS: f64 = DEFAULT_COUNT as f64 * 60.0 / RPM as f64;
const TARGET_RATIO: f64 = 1.25;
const CHAT: &str = "/v1/chat/completions";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Scenario {
    Prefetch,
    Enforced,
    Storm,
    Baseline,
    Window,
    Record,
    RecordFsync,
}

impl Scenario {
    const ALL: [Scenario; 7] = [
        Scenario::Prefetch,
        Scenario::Enforced,
        Scenario::Storm,
        Scenario::Baseline,
        Scenario::Window,
        Scenario::Record,
        Scenario::RecordFsync,
    ];
    /// What runs without arguments: all but the minute-long `window`.
    const DEFAULT: [Scenario; 4] = [
        Scenario::Prefetch,
        Scenario::Enforced,
        Scenario::Storm,
        Scenario::Baseline,
    ];

    fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.name() == name)
    }

    fn name(self) -> &'static str {
        match self {
            Scenario::Prefetch => "prefetch",
            Scenario::Enforced => "enforced",
            Scenario::Storm => "storm",
            Scenario::Baseline => "baseline",
            Scenario::Window => "window",
            Scenario::Record => "record",
            Scenario::RecordFsync => "record-fsync",
        }
    }

    fn prefetch(self) -> bool {
        self != Scenario::Baseline
    }

    fn records(self) -> bool {
        matches!(self, Scenario::Record | Scenario::RecordFsync)
    }

    /// Whether the run must stay within [`TARGET_RATIO`] of the bound.
    fn has_target(self) -> bool {
        matches!(self, Scenario::Prefetch | Scenario::Enforced)
    }

    async fn simulator(self) -> SimLlamaApi {
        let builder = SimLlamaApi::builder().with_latency(LATENCY);
        let builder = match self {
            Scenario::Prefetch | Scenario::Record | Scenario::RecordFsync => builder,
            Scenario::Enforced | Scenario::Baseline => builder.enforce_rpm(RPM),
            Scenario::Storm => builder
                .enforce_rpm(RPM)
                .rate_limit_next(150, Duration::from_secs(1)),
            Scenario::Window => builder.enforce_rpm(250),
        };
        builder.start().await
    }
}

struct Options {
    scenarios: Vec<Scenario>,
    release: bool,
    busy_disk: bool,
}

/// What one scenario's run did.
struct Outcome {
    run: Measured,
    /// Chat requests the simulator received.
    requests: usize,
    passed: usize,
    failed: usize,
    /// Fixture files the run left (record scenarios).
    fixtures: usize,
}

impl Outcome {
    /// Requests beyond one per eval. No scenario injects anything but 429s,
    /// and every eval sends exactly one request, so these are the 429s.
    fn refused(&self) -> usize {
        self.requests.saturating_sub(self.passed + self.failed)
    }

    fn ratio(&self) -> f64 {
        self.run.wall.as_secs_f64() / BOUND_SECS
    }

    fn all_passed(&self) -> bool {
        self.run.success && self.failed == 0 && self.passed == DEFAULT_COUNT
    }

    fn all_recorded(&self, scenario: Scenario) -> bool {
        !scenario.records() || self.fixtures == DEFAULT_COUNT
    }
}

fn main() -> ExitCode {
    match parse_args().and_then(|options| bench(&options)) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("live300: {e}");
            ExitCode::FAILURE
        }
    }
}

fn parse_args() -> Result<Options> {
    let mut options = Options {
        scenarios: Vec::new(),
        release: true,
        busy_disk: false,
    };
    for arg in std::env::args().skip(1) {
        if arg == "--debug" {
            options.release = false;
        } else if arg == "--busy-disk" {
            options.busy_disk = true;
        } else if let Some(scenario) = Scenario::parse(&arg) {
            options.scenarios.push(scenario);
        } else {
            let names: Vec<&str> = Scenario::ALL.iter().map(|s| s.name()).collect();
            return Err(format!(
                "unknown argument `{arg}`; accepted: --debug, --busy-disk and the scenarios {}",
                names.join(" ")
            )
            .into());
        }
    }
    if options.scenarios.is_empty() {
        options.scenarios = Scenario::DEFAULT.to_vec();
    }
    Ok(options)
}

/// Runs the scenarios and prints their table; `Ok(false)` when a run
/// failed tests or missed its target.
fn bench(options: &Options) -> Result<bool> {
    let profile = if options.release { "release" } else { "debug" };
    eprintln!("building the test binary ({profile} profile; not timed) ...");
    let exes = build_bench_tests(options.release, &["evals300"])?;
    let evals = &exes["evals300"];
    // The simulator serves from wiremock's own threads; the runtime only
    // starts it.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let threads = std::thread::available_parallelism().map_or(1, usize::from);

    println!(
        "live300: {DEFAULT_COUNT} #[llama_eval] tests (1/3 text + contains, 1/3 JSON schema, 1/3 tool call)"
    );
    println!("test binary: {} ({profile} profile)", evals.display());
    println!(
        "live mode (record for record*), simulated latency {} ms, default test threads ({threads}); bound {BOUND_SECS:.1} s = {DEFAULT_COUNT} requests at {RPM} RPM",
        LATENCY.as_millis()
    );
    println!(
        "{:<9} {:>7} {:>8} {:>5} {:>6} {:>6} {:>7} {:>7} {:>7}",
        "scenario", "wall s", "requests", "429s", "passed", "failed", "cpu s", "RSS MiB", "÷ 6.0 s"
    );
    let mut all_ok = true;
    let mut walls = Vec::new();
    for &scenario in &options.scenarios {
        let busy = (options.busy_disk && scenario.records()).then(BusyDisk::start);
        let outcome = run(evals, scenario, &runtime)?;
        drop(busy);
        let verdict = if !outcome.all_recorded(scenario) {
            "FIXTURES MISSING"
        } else if !outcome.all_passed() {
            report_failure(scenario, &outcome.run);
            "FAILED TESTS"
        } else if scenario.has_target() && outcome.ratio() > TARGET_RATIO {
            "OVER TARGET"
        } else if scenario.has_target() {
            "within target"
        } else {
            ""
        };
        all_ok &= matches!(verdict, "" | "within target");
        let row = format!(
            "{:<9} {:>7.2} {:>8} {:>5} {:>6} {:>6} {:>7.2} {:>7.1} {:>6.2}x  {verdict}",
            scenario.name(),
            outcome.run.wall.as_secs_f64(),
            outcome.requests,
            outcome.refused(),
            outcome.passed,
            outcome.failed,
            outcome.run.cpu.as_secs_f64(),
            outcome.run.max_rss_mib(),
            outcome.ratio(),
        );
        println!("{}", row.trim_end());
        walls.push((scenario, outcome.run.wall.as_secs_f64()));
    }
    let wall_of = |wanted| walls.iter().find(|(s, _)| *s == wanted).map(|w| w.1);
    if let (Some(enforced), Some(baseline)) =
        (wall_of(Scenario::Enforced), wall_of(Scenario::Baseline))
    {
        println!(
            "prefetch vs. baseline (both at {RPM} RPM enforced): {:.2}x faster",
            baseline / enforced
        );
    }
    println!("target: prefetch and enforced within {TARGET_RATIO}x of {BOUND_SECS:.1} s");
    Ok(all_ok)
}

/// Runs the test binary once against a fresh simulator for `scenario`.
fn run(evals: &Path, scenario: Scenario, runtime: &tokio::runtime::Runtime) -> Result<Outcome> {
    let sim = runtime.block_on(scenario.simulator());
    // Whatever a run writes goes to a temporary root on the test binary's
    // disk (the target directory), not the checkout.
    let scratch = evals
        .ancestors()
        .find(|d| d.join("CACHEDIR.TAG").is_file())
        .unwrap_or(Path::new("."));
    let fixtures = tempfile::tempdir_in(scratch)?;
    let mode = if scenario.records() { "record" } else { "live" };
    let fsync = if scenario == Scenario::RecordFsync {
        "1"
    } else {
        "0"
    };
    let run = measure::run(
        test_binary(evals)
            .arg("--ignored")
            .env("LLAMA_TEST_MODE", mode)
            .env("LLAMA_TEST_FIXTURE_FSYNC", fsync)
            .env("INSTA_UPDATE", "no")
            .env("LLAMA_TEST_RECORDS", "0")
            .env("LLAMA_API_BASE_URL", sim.uri())
            .env("LLAMA_API_KEY", sim.api_key())
            .env("LLAMA_TEST_FIXTURES", fixtures.path())
            .env(
                "LLAMA_TEST_PREFETCH",
                if scenario.prefetch() { "1" } else { "0" },
            ),
    )?;
    let written = std::fs::read_dir(fixtures.path())?
        .filter_map(|e| e.ok())
        .filter(|e| e.path().extension().is_some_and(|x| x == "json"))
        .count();
    if scenario.records() {
        eprintln!("{}: {written} fixtures written", scenario.name());
    }
    Ok(Outcome {
        fixtures: written,
        requests: sim.request_count_for(CHAT),
        passed: run.passed().unwrap_or(0),
        failed: run.failed().unwrap_or(0),
        run,
    })
}

/// A disk kept busy: a thread writing 64 MiB files and syncing each, until
/// dropped.
struct BusyDisk {
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
    _dir: tempfile::TempDir,
}

impl BusyDisk {
    fn start() -> Self {
        use std::io::Write;
        use std::sync::atomic::Ordering;
        let dir = tempfile::tempdir_in(".").expect("a scratch directory for --busy-disk");
        let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let (flag, path) = (std::sync::Arc::clone(&stop), dir.path().join("busy"));
        let thread = std::thread::spawn(move || {
            let block = vec![0x5a_u8; 1 << 20];
            while !flag.load(Ordering::Relaxed) {
                let Ok(mut file) = std::fs::File::create(&path) else {
                    return;
                };
                for _ in 0..64 {
                    if flag.load(Ordering::Relaxed) || file.write_all(&block).is_err() {
                        break;
                    }
                }
                let _ = file.sync_all();
            }
        });
        BusyDisk {
            stop,
            thread: Some(thread),
            _dir: dir,
        }
    }
}

impl Drop for BusyDisk {
    fn drop(&mut self) {
        self.stop.store(true, std::sync::atomic::Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// The end of a failed run's output, on stderr.
fn report_failure(scenario: Scenario, run: &Measured) {
    let tail: Vec<&str> = run.stdout.lines().rev().take(40).collect();
    eprintln!(
        "the {} run failed; its last lines:\n{}\n{}",
        scenario.name(),
        tail.into_iter().rev().collect::<Vec<_>>().join("\n"),
        run.stderr
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bound_is_300_requests_at_3000_rpm() {
        assert_eq!(BOUND_SECS, 6.0);
    }

    #[test]
    fn every_scenario_is_named_on_the_command_line() {
        for scenario in Scenario::ALL {
            assert_eq!(Scenario::parse(scenario.name()), Some(scenario));
        }
        assert_eq!(Scenario::parse("windows"), None);
        assert!(!Scenario::DEFAULT.contains(&Scenario::Window));
        assert!(!Scenario::DEFAULT.contains(&Scenario::Record));
        assert!(Scenario::RecordFsync.records() && !Scenario::Prefetch.records());
        assert!(!Scenario::Baseline.prefetch());
    }

    #[test]
    fn requests_beyond_one_per_eval_are_the_429s() {
        let run = measure::run(&mut std::process::Command::new("true")).unwrap();
        let outcome = Outcome {
            run,
            requests: 450,
            passed: 300,
            failed: 0,
            fixtures: 0,
        };
        assert_eq!(outcome.refused(), 150);
        assert!(outcome.all_passed());
    }
}
