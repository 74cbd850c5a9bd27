//! Runs the simulated Llama API on loopback until interrupted, so evals can
//! be recorded without a real key:
//!
//! ```sh
//! cargo run -p llama-test --features sim --bin llama-test-sim
//! # (or: cargo install llama-test --features sim; llama-test-sim)
//! # prints the variables to export (the Llama API's and every other
//! # provider's base URL and key); in another shell, export them, then:
//! LLAMA_TEST_MODE=record cargo test
//! ```
//!
//! Options, to try a suite against a tight quota:
//! `--rpm N` (answer 429 beyond N chat requests in any sliding minute),
//! `--retry-after SECONDS` (the `retry-after` of those 429s instead of the
//! time until a slot frees), `--latency-ms N` (delay every answer).

use std::time::Duration;

use llama_test::providers::{PRESETS, ProviderKind, base_url_env};
use llama_test::sim::{SIM_AWS_ACCESS_KEY_ID, SIM_AWS_SECRET_ACCESS_KEY, SimBuilder, SimLlamaApi};

const USAGE: &str = "usage: llama-test-sim [--rpm N] [--retry-after SECONDS] [--latency-ms N]";

fn builder(args: &[String]) -> Result<SimBuilder, String> {
    let mut builder = SimLlamaApi::builder();
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        let mut value = |what: &str| -> Result<f64, String> {
            let v = args.next().ok_or_else(|| format!("{arg} needs {what}"))?;
            v.parse::<f64>()
                .ok()
                .filter(|n| n.is_finite() && *n >= 0.0)
                .ok_or_else(|| format!("{arg} is `{v}`; expected {what}"))
        };
        builder = match arg.as_str() {
            "--rpm" => builder.enforce_rpm(value("a whole number of requests")? as u32),
            "--retry-after" => {
                builder.window_retry_after(Duration::from_secs_f64(value("seconds")?))
            }
            "--latency-ms" => {
                builder.with_latency(Duration::from_millis(value("milliseconds")? as u64))
            }
            "-h" | "--help" => {
                println!("{USAGE}");
                std::process::exit(0);
            }
            other => return Err(format!("unknown argument `{other}`")),
        };
    }
    Ok(builder)
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let builder = builder(&args).unwrap_or_else(|e| {
        eprintln!("error: {e}\n{USAGE}");
        std::process::exit(2);
    });
    let sim = builder.start().await;
    println!("export LLAMA_API_BASE_URL={}", sim.uri());
    println!("export LLAMA_API_KEY={}", SimLlamaApi::DEFAULT_API_KEY);
    // Every OpenAI-compatible provider is simulated under `/<provider>`.
    for preset in PRESETS.iter().filter(|p| p.kind == ProviderKind::OpenAi) {
        println!(
            "export {}={}/{}",
            base_url_env(preset.name),
            sim.uri(),
            preset.name
        );
        if let Some(key) = preset.key_env {
            println!("export {key}={}", SimLlamaApi::DEFAULT_API_KEY);
        }
    }
    // Bedrock Converse, signed with SigV4 by the simulator's test credentials.
    println!("export LLAMA_TEST_BEDROCK_BASE_URL={}/bedrock", sim.uri());
    println!("export AWS_REGION=us-east-1");
    println!("export AWS_ACCESS_KEY_ID={SIM_AWS_ACCESS_KEY_ID}");
    println!("export AWS_SECRET_ACCESS_KEY={SIM_AWS_SECRET_ACCESS_KEY}");
    println!("# simulated Llama API running; Ctrl-C to stop");
    // Serve until the process is interrupted (Ctrl-C ends it; nothing to clean up).
    std::future::pending::<()>().await;
    drop(sim);
}
