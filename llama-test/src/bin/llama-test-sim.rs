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

use llama_test::providers::{PRESETS, ProviderKind, base_url_env};
use llama_test::sim::{SIM_AWS_ACCESS_KEY_ID, SIM_AWS_SECRET_ACCESS_KEY, SimLlamaApi};

#[tokio::main]
async fn main() {
    let sim = SimLlamaApi::start().await;
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
