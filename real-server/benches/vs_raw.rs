//! Benchmark (issue 11): N evals live against llama-server through
//! llama-test vs. the same N requests sent by a minimal concurrent reqwest
//! client.
//!
//! ```sh
//! bash scripts/llama-server.sh
//! cargo bench -p llama-test-real --bench vs_raw             # 3 runs
//! cargo bench -p llama-test-real --bench vs_raw -- --runs 5 --release
//! ```
//!
//! - llama-test: the suite's test binary (dev profile, as `cargo test`
//!   builds it; `--release` for the release one) runs the 64 evals of
//!   `concurrency::count` in `live` mode, timed from spawn to exit: process
//!   start, the prefetch sending all 64 at once, checks, libtest.
//! - raw: the same 64 request bodies (read from the committed fixtures,
//!   byte for byte what llama-test sends) from one tokio + reqwest client,
//!   with at most 4 in flight (the server's own limit, `--parallel 4`), and
//!   once more with all 64 in flight (as the prefetch sends them).
//!
//! Each run uses one fresh server; the order of the three alternates. The
//! ratio is llama-test's median over the raw client's (4 in flight)
//! median; the issue's target is at most 1.10. The box's load average is
//! printed with each run: on a shared machine, runs under load say little.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use llama_test_real::{Paths, Server};
use serde_json::Value;

const EVALS: usize = 64;
const FILTER: &str = "concurrency::count::";
const TARGET_RATIO: f64 = 1.10;

type Result<T> = std::result::Result<T, Box<dyn std::error::Error>>;

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    // `cargo bench` passes `--bench`; ignore what we do not know.
    let runs = args
        .iter()
        .position(|a| a == "--runs")
        .and_then(|i| args.get(i + 1))
        .map(|n| n.parse())
        .transpose()?
        .unwrap_or(3usize);
    let release = args.iter().any(|a| a == "--release");
    let paths = Paths::find()?;
    let bodies = request_bodies()?;
    eprintln!("vs_raw: building the suite's test binary ...");
    let exe = test_binary(release)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let (mut ours, mut raw4, mut raw64) = (Vec::new(), Vec::new(), Vec::new());
    println!(
        "vs_raw: {EVALS} evals (max_tokens 32, temperature 0) against llama-server --parallel {}",
        llama_test_real::server::PARALLEL
    );
    for run in 0..runs {
        let server = Server::start(&paths)?;
        // The first request after start-up is slower for everyone.
        runtime.block_on(raw(&server, &bodies[..1], 1))?;
        let mut order: Vec<usize> = vec![0, 1, 2];
        order.rotate_left(run % 3);
        for which in order {
            match which {
                0 => ours.push(through_llama_test(&exe, &server)?),
                1 => raw4.push(runtime.block_on(raw(&server, &bodies, 4))?),
                _ => raw64.push(runtime.block_on(raw(&server, &bodies, EVALS))?),
            }
        }
        println!(
            "  run {}/{runs}: llama-test {:>6.2} s   raw 4 in flight {:>6.2} s   raw 64 in flight {:>6.2} s   (load {})",
            run + 1,
            secs(ours[run]),
            secs(raw4[run]),
            secs(raw64[run]),
            load_average()
        );
    }
    let (m_ours, m_raw4, m_raw64) = (median(&ours), median(&raw4), median(&raw64));
    let ratio = secs(m_ours) / secs(m_raw4);
    println!(
        "median of {runs}: llama-test {:.2} s, raw (4 in flight) {:.2} s, raw (64 in flight) {:.2} s",
        secs(m_ours),
        secs(m_raw4),
        secs(m_raw64)
    );
    println!(
        "ratio llama-test / raw: {ratio:.3} (target <= {TARGET_RATIO:.2}: {}); vs 64 in flight: {:.3}",
        if ratio <= TARGET_RATIO {
            "met"
        } else {
            "MISSED"
        },
        secs(m_ours) / secs(m_raw64)
    );
    Ok(())
}

fn secs(d: Duration) -> f64 {
    d.as_secs_f64()
}

fn median(values: &[Duration]) -> Duration {
    let mut sorted = values.to_vec();
    sorted.sort();
    sorted[sorted.len() / 2]
}

/// The 1-minute load average, as `/proc/loadavg` says.
fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|t| t.split_whitespace().next().map(str::to_owned))
        .unwrap_or_else(|| "?".into())
}

fn manifest_dir() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The recorded request bodies of `concurrency::count::case_01..64`.
fn request_bodies() -> Result<Vec<Value>> {
    (1..=EVALS)
        .map(|n| {
            let path = manifest_dir().join(format!(
                "fixtures/real__concurrency__count__case_{n:02}.json"
            ));
            let fixture: Value = serde_json::from_str(&std::fs::read_to_string(&path)?)?;
            Ok(fixture["interactions"][0]["request"]["body"].clone())
        })
        .collect()
}

/// The suite's test binary, built by cargo (its path from cargo's JSON).
fn test_binary(release: bool) -> Result<PathBuf> {
    let mut command = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    // Without the variables cargo set for this bench: build scripts that
    // watch them would rebuild on every nested build.
    for (name, _) in std::env::vars_os() {
        let Some(name) = name.to_str() else { continue };
        let ours = [
            "CARGO_PKG_",
            "CARGO_MANIFEST_",
            "CARGO_CRATE_",
            "CARGO_BIN_",
        ]
        .iter()
        .any(|p| name.starts_with(p));
        if ours || matches!(name, "CARGO_PRIMARY_PACKAGE" | "OUT_DIR") {
            command.env_remove(name);
        }
    }
    command
        .current_dir(manifest_dir())
        .args([
            "test",
            "--no-run",
            "-p",
            "llama-test-real",
            "--test",
            "real",
        ])
        .arg("--message-format=json-render-diagnostics")
        .stderr(Stdio::inherit());
    if release {
        command.arg("--release");
    }
    let output = command.output()?;
    if !output.status.success() {
        return Err(format!("building the test binary failed ({})", output.status).into());
    }
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .find(|m| m["reason"] == "compiler-artifact" && m["target"]["name"] == "real")
        .and_then(|m| m["executable"].as_str().map(PathBuf::from))
        .ok_or_else(|| "cargo reported no executable for the `real` test".into())
}

/// The 64 evals, live, as `cargo test` would run them; wall time.
fn through_llama_test(exe: &Path, server: &Server) -> Result<Duration> {
    let mut command = Command::new(exe);
    for (name, _) in std::env::vars_os() {
        let Some(name) = name.to_str() else { continue };
        if matches!(name, "CI" | "RUST_LOG")
            || ["LLAMA_", "INSTA_", "NEXTEST", "RUST_TEST_"]
                .iter()
                .any(|p| name.starts_with(p))
        {
            command.env_remove(name);
        }
    }
    command
        .args([FILTER])
        .env("LLAMA_TEST_MODE", "live")
        .env("LLAMA_TEST_LLAMACPP_BASE_URL", server.base_url())
        .env("LLAMACPP_API_KEY", server.key())
        // A child run: the suite starts no server of its own.
        .env("LLAMA_TEST_REAL_CHILD", "1")
        .stdin(Stdio::null())
        .stderr(Stdio::null());
    let started = Instant::now();
    let output = command.output()?;
    let elapsed = started.elapsed();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let summary = format!("{EVALS} passed; 0 failed");
    if !output.status.success() || !stdout.contains(&summary) {
        return Err(format!("the llama-test run failed:\n{stdout}").into());
    }
    Ok(elapsed)
}

/// The same requests from a bare reqwest client, at most `in_flight` at
/// once; wall time. Every answer must be a 200 with a message.
async fn raw(server: &Server, bodies: &[Value], in_flight: usize) -> Result<Duration> {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let client = reqwest::Client::new();
    let url = format!("{}/v1/chat/completions", server.base_url());
    let auth = format!("Bearer {}", server.key());
    let gate = Arc::new(tokio::sync::Semaphore::new(in_flight));
    let started = Instant::now();
    let mut tasks = Vec::new();
    for body in bodies {
        let (client, url, auth, gate) = (client.clone(), url.clone(), auth.clone(), gate.clone());
        let body = serde_json::to_vec(body)?;
        tasks.push(tokio::spawn(async move {
            let _permit = gate.acquire_owned().await?;
            let response = client
                .post(url)
                .header("authorization", auth)
                .header("content-type", "application/json")
                .body(body)
                .send()
                .await?;
            let status = response.status();
            let answer: Value = response.json().await?;
            if !status.is_success() || !answer["choices"][0]["message"]["content"].is_string() {
                return Err(format!("{status}: {answer}").into());
            }
            Ok::<_, Box<dyn std::error::Error + Send + Sync>>(())
        }));
    }
    for task in tasks {
        task.await?.map_err(|e| e.to_string())?;
    }
    Ok(started.elapsed())
}
