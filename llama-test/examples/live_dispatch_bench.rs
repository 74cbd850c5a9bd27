//! Benchmark of the suite-wide dispatcher: 300 evals in `live` mode against
//! the simulated Llama API at 500 ms latency, run as a plain libtest binary
//! (default test threads), timed from spawn to exit.
//!
//! ```sh
//! cargo run -p llama-test --features sim --example live_dispatch_bench
//! # or pick scenarios: prefetch enforced storm baseline window
//! cargo run -p llama-test --features sim --example live_dispatch_bench -- prefetch enforced
//! ```
//!
//! The evals are `benches/dispatch_evals.rs` (100 text + `contains`, 100
//! JSON schema, 100 tool calls); the benchmark builds that target's test
//! binary with `cargo test --no-run` and runs it with `--ignored`.
//!
//! Scenarios (each with a fresh simulator):
//! - `prefetch`: prefetch on, no server-side limit;
//! - `enforced`: prefetch on, the simulator allows 3,000 requests in any
//!   sliding minute and answers 429 + `retry-after` beyond;
//! - `storm`: as `enforced`, plus the first 150 requests refused with 429
//!   and `retry-after: 1`;
//! - `baseline`: as `enforced` with `LLAMA_TEST_PREFETCH=0` (each test
//!   thread sends its own request: the pre-dispatch behaviour);
//! - `window` (not in the default set, takes a minute): the simulator
//!   allows only 250 requests per minute, so 50 requests wait for the
//!   window (`retry-after` near 60 s).
//!
//! The bound is the rate limit: 300 requests at 3,000 RPM spread evenly
//! take 6.0 s; the target is at most 1.25 times that.

use std::path::PathBuf;
use std::process::Stdio;
use std::time::{Duration, Instant};

use llama_test::sim::SimLlamaApi;

const EVALS: usize = 300;
const LATENCY: Duration = Duration::from_millis(500);
const BOUND_SECS: f64 = 6.0;
const TARGET_RATIO: f64 = 1.25;
const CHAT: &str = "/v1/chat/completions";

#[derive(Clone, Copy, Debug)]
enum Scenario {
    Prefetch,
    Enforced,
    Storm,
    Baseline,
    Window,
}

impl Scenario {
    fn parse(name: &str) -> Option<Self> {
        Some(match name {
            "prefetch" => Scenario::Prefetch,
            "enforced" => Scenario::Enforced,
            "storm" => Scenario::Storm,
            "baseline" => Scenario::Baseline,
            "window" => Scenario::Window,
            _ => return None,
        })
    }

    fn name(self) -> &'static str {
        match self {
            Scenario::Prefetch => "prefetch",
            Scenario::Enforced => "enforced",
            Scenario::Storm => "storm",
            Scenario::Baseline => "baseline",
            Scenario::Window => "window",
        }
    }

    fn prefetch(self) -> bool {
        !matches!(self, Scenario::Baseline)
    }

    async fn simulator(self) -> SimLlamaApi {
        let builder = SimLlamaApi::builder().with_latency(LATENCY);
        let builder = match self {
            Scenario::Prefetch => builder,
            Scenario::Enforced | Scenario::Baseline => builder.enforce_rpm(3_000),
            Scenario::Storm => builder
                .enforce_rpm(3_000)
                .rate_limit_next(150, Duration::from_secs(1)),
            Scenario::Window => builder.enforce_rpm(250),
        };
        builder.start().await
    }
}

/// What one run of the evals binary did.
struct Measured {
    wall: Duration,
    requests: usize,
    passed: usize,
    failed: usize,
}

impl Measured {
    /// Requests beyond one per eval. No scenario injects anything but 429s,
    /// and every eval sends exactly one request, so these are the 429s.
    fn refused(&self) -> usize {
        self.requests.saturating_sub(self.passed + self.failed)
    }
}

#[tokio::main]
async fn main() {
    let mut scenarios = Vec::new();
    for arg in std::env::args().skip(1) {
        match Scenario::parse(&arg) {
            Some(s) => scenarios.push(s),
            None => {
                eprintln!(
                    "unknown scenario `{arg}`; expected: prefetch enforced storm baseline window"
                );
                std::process::exit(2);
            }
        }
    }
    if scenarios.is_empty() {
        use Scenario::*;
        scenarios = vec![Prefetch, Enforced, Storm, Baseline];
    }
    let binary = match evals_binary() {
        Ok(path) => path,
        Err(e) => {
            eprintln!("could not build the evals binary: {e}");
            std::process::exit(1);
        }
    };
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    println!("evals binary: {}", binary.display());
    println!(
        "{EVALS} evals, live mode, simulated latency {} ms, default test threads ({threads})",
        LATENCY.as_millis()
    );
    println!(
        "{:<9} {:>8} {:>9} {:>6} {:>7} {:>7} {:>9}",
        "scenario", "wall s", "requests", "429s", "passed", "failed", "÷ 6.0 s"
    );
    let mut all_ok = true;
    for scenario in scenarios {
        let m = run(&binary, scenario).await;
        let ratio = m.wall.as_secs_f64() / BOUND_SECS;
        let verdict = match scenario {
            _ if m.failed > 0 || m.passed != EVALS => {
                all_ok = false;
                "FAILED TESTS"
            }
            Scenario::Prefetch | Scenario::Enforced if ratio > TARGET_RATIO => {
                all_ok = false;
                "OVER TARGET"
            }
            Scenario::Prefetch | Scenario::Enforced => "within target",
            _ => "",
        };
        println!(
            "{:<9} {:>8.2} {:>9} {:>6} {:>7} {:>7} {:>8.2}x  {verdict}",
            scenario.name(),
            m.wall.as_secs_f64(),
            m.requests,
            m.refused(),
            m.passed,
            m.failed,
            ratio
        );
    }
    if !all_ok {
        std::process::exit(1);
    }
}

/// Runs the evals binary once against a fresh simulator.
async fn run(binary: &PathBuf, scenario: Scenario) -> Measured {
    let sim = scenario.simulator().await;
    let fixtures = tempfile::tempdir().expect("a temporary directory");
    let mut command = tokio::process::Command::new(binary);
    command
        .arg("--ignored")
        .env("LLAMA_TEST_MODE", "live")
        .env("LLAMA_API_BASE_URL", sim.uri())
        .env("LLAMA_API_KEY", sim.api_key())
        .env("LLAMA_TEST_FIXTURES", fixtures.path())
        .env(
            "LLAMA_TEST_PREFETCH",
            if scenario.prefetch() { "1" } else { "0" },
        )
        .env_remove("NEXTEST")
        .env_remove("CI")
        .env_remove("RUST_TEST_THREADS")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let started = Instant::now();
    let output = command.output().await.expect("the evals binary runs");
    let wall = started.elapsed();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let (passed, failed) = summary(&stdout);
    if failed > 0 || !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        let tail: String = stdout.lines().rev().take(40).collect::<Vec<_>>().join("\n");
        eprintln!(
            "{} run failed; last lines reversed:\n{tail}\n{stderr}",
            scenario.name()
        );
    }
    Measured {
        wall,
        requests: sim.request_count_for(CHAT),
        passed,
        failed,
    }
}

/// `passed` and `failed` from libtest's `test result:` line.
fn summary(stdout: &str) -> (usize, usize) {
    let Some(line) = stdout.lines().find(|l| l.starts_with("test result:")) else {
        return (0, 0);
    };
    let count = |label: &str| {
        line.split(';')
            .find(|part| part.trim_end().ends_with(label))
            .and_then(|part| part.split_whitespace().rev().nth(1))
            .and_then(|n| n.parse().ok())
            .unwrap_or(0)
    };
    (count("passed"), count("failed"))
}

/// Builds the `dispatch_evals` bench target in test mode and returns its
/// executable, as cargo reports it.
fn evals_binary() -> Result<PathBuf, String> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let mut command = std::process::Command::new(cargo);
    // `cargo run` describes this example to it in `CARGO_PKG_*` and friends;
    // build scripts that watch those would rebuild on every run.
    for (name, _) in std::env::vars_os() {
        let name = name.to_string_lossy();
        if name.starts_with("CARGO_PKG_")
            || matches!(
                name.as_ref(),
                "CARGO_MANIFEST_DIR"
                    | "CARGO_MANIFEST_PATH"
                    | "CARGO_CRATE_NAME"
                    | "CARGO_BIN_NAME"
                    | "CARGO_PRIMARY_PACKAGE"
            )
        {
            command.env_remove(name.as_ref());
        }
    }
    let output = command
        .args([
            "test",
            "-p",
            "llama-test",
            "--bench",
            "dispatch_evals",
            "--no-run",
            "--message-format=json",
        ])
        .stderr(Stdio::inherit())
        .output()
        .map_err(|e| format!("cargo did not start: {e}"))?;
    if !output.status.success() {
        return Err("`cargo test --bench dispatch_evals --no-run` failed".to_owned());
    }
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .filter(|msg| msg["target"]["name"] == "dispatch_evals")
        .find_map(|msg| msg["executable"].as_str().map(PathBuf::from))
        .ok_or_else(|| "cargo reported no executable for dispatch_evals".to_owned())
}
