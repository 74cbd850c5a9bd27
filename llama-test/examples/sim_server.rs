//! Runs the simulated Llama API on loopback until interrupted, so evals can
//! be recorded without a real key:
//!
//! ```sh
//! cargo run -p llama-test --features sim --example sim_server
//! # prints the two variables to export, then:
//! LLAMA_TEST_MODE=record cargo test -p llama-test-examples
//! ```

use llama_test::sim::SimLlamaApi;

#[tokio::main]
async fn main() {
    let sim = SimLlamaApi::start().await;
    println!("export LLAMA_API_BASE_URL={}", sim.uri());
    println!("export LLAMA_API_KEY={}", SimLlamaApi::DEFAULT_API_KEY);
    println!("# simulated Llama API running; Ctrl-C to stop");
    if let Err(e) = tokio::signal::ctrl_c().await {
        eprintln!("cannot wait for Ctrl-C ({e}); stopping");
    }
}
