//! Runs the simulated Llama API on loopback until interrupted, so evals can
//! be recorded without a real key:
//!
//! ```sh
//! cargo run -p llama-test --features sim --bin llama-test-sim
//! # (or: cargo install llama-test --features sim; llama-test-sim)
//! # prints the two variables to export; in another shell, export them, then:
//! LLAMA_TEST_MODE=record cargo test
//! ```

use llama_test::sim::SimLlamaApi;

#[tokio::main]
async fn main() {
    let sim = SimLlamaApi::start().await;
    println!("export LLAMA_API_BASE_URL={}", sim.uri());
    println!("export LLAMA_API_KEY={}", SimLlamaApi::DEFAULT_API_KEY);
    println!("# simulated Llama API running; Ctrl-C to stop");
    // Serve until the process is interrupted (Ctrl-C ends it; nothing to clean up).
    std::future::pending::<()>().await;
    drop(sim);
}
