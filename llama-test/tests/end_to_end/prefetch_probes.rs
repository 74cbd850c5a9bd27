//! The `#[llama_eval]` probes the prefetch tests run in a child process
//! (`prefetch_filters.rs`, `prefetch_outcomes.rs`), and helpers that read
//! what reached the simulator.
//!
//! The probes are `#[ignore]`d so that a plain `cargo test` skips them.
//! (Under `--include-ignored` they also run in the parent, where no
//! simulator is configured, and report errors; the drivers never pass that
//! flag to the child.)

use llama_test::prelude::*;
use llama_test::sim::SimLlamaApi;
use serde_json::Value;

/// The filter that selects these probes and no other test of the binary
/// (the binary's other modules have probes of their own).
pub const PROBES: &str = "prefetch_probes::";

/// The native chat path.
pub const CHAT: &str = "/v1/chat/completions";

mod greetings {
    use super::*;

    /// The first test libtest runs; its follow-up call shows whether the
    /// other tests' requests were already sent when its body ran.
    #[llama_eval(
        model = "Llama-3.3-70B-Instruct",
        prompt = "prefetch probe hello_alpha",
        assert(contains = "hello_alpha")
    )]
    #[ignore = "a probe for the prefetch driver tests; they run it in a child process"]
    async fn hello_alpha() {
        let follow_up = Eval::new("Llama-3.3-70B-Instruct")
            .prompt("prefetch probe follow-up of hello_alpha")
            .run()
            .await;
        follow_up.assert_contains("follow-up");
    }

    #[llama_eval(
        model = "Llama-3.3-70B-Instruct",
        prompt = "prefetch probe hello_beta",
        assert(contains = "hello_beta")
    )]
    #[ignore = "a probe for the prefetch driver tests; they run it in a child process"]
    fn hello_beta() {}
}

mod weather {
    use super::*;

    #[llama_eval(
        model = "Llama-3.3-70B-Instruct",
        prompt = "prefetch probe forecast for {{city}}",
        case(name = "paris", city = "Paris"),
        case(name = "rome", city = "Rome"),
        assert(contains = "forecast")
    )]
    #[ignore = "a probe for the prefetch driver tests; they run it in a child process"]
    fn forecast(out: Output) {
        assert!(out.text().contains("prefetch probe"));
    }
}

#[llama_eval(
    model = "Llama-3.3-70B-Instruct",
    prompt = "prefetch probe repeated",
    repeat = 3,
    assert(contains = "repeated")
)]
#[ignore = "a probe for the prefetch driver tests; they run it in a child process"]
fn repeated() {}

/// One test per outcome, to check that each lands in its own test.
mod verdicts {
    use super::*;

    #[llama_eval(
        model = "Llama-3.3-70B-Instruct",
        prompt = "prefetch probe verdict pass"
    )]
    #[ignore = "a probe for the prefetch driver tests; they run it in a child process"]
    fn passes() {}

    #[llama_eval(
        model = "Llama-3.3-70B-Instruct",
        prompt = "prefetch probe verdict fail",
        assert(contains = "text the simulator never writes")
    )]
    #[ignore = "a probe for the prefetch driver tests; they run it in a child process"]
    fn fails_a_check() {}

    /// Forced to replay, with no fixture in the child's empty fixture root.
    #[llama_eval(
        model = "Llama-3.3-70B-Instruct",
        prompt = "prefetch probe verdict missing fixture",
        record = "replay"
    )]
    #[ignore = "a probe for the prefetch driver tests; they run it in a child process"]
    fn has_no_fixture() {}
}

/// The prompts of every probe outside `verdicts`, one per request.
pub const ALL_SUBJECTS: &[&str] = &[
    "prefetch probe hello_alpha",
    "prefetch probe hello_beta",
    "prefetch probe forecast for Paris",
    "prefetch probe forecast for Rome",
    "prefetch probe repeated",
    "prefetch probe repeated",
    "prefetch probe repeated",
];

/// The last user message of every chat request the simulator received, in
/// arrival order (refused ones included).
pub fn chat_prompts(sim: &SimLlamaApi) -> Vec<String> {
    sim.received_requests()
        .iter()
        .filter(|r| r.path == CHAT)
        .map(|r| {
            let body = r.body_json().unwrap_or_default();
            let user = body["messages"]
                .as_array()
                .and_then(|m| m.iter().rev().find(|m| m["role"] == "user"))
                .cloned()
                .unwrap_or_default();
            match &user["content"] {
                Value::String(text) => text.clone(),
                Value::Array(parts) => parts
                    .iter()
                    .filter_map(|p| p["text"].as_str())
                    .collect::<Vec<_>>()
                    .join(""),
                _ => String::new(),
            }
        })
        .collect()
}

/// `prompts` in sorted order, to compare sets that arrive concurrently.
pub fn sorted(mut prompts: Vec<String>) -> Vec<String> {
    prompts.sort();
    prompts
}

/// The expected prompts, sorted.
pub fn expect(prompts: &[&str]) -> Vec<String> {
    sorted(prompts.iter().map(|p| (*p).to_owned()).collect())
}
