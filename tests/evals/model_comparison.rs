//! Seed: "Configuration" — the same prompt against several providers, with
//! promptfoo's id syntax (`llamaapi:ID` and the explicit `llamaapi:chat:ID`).
//!
//! ```yaml
//! providers:
//!   - llamaapi:Llama-4-Maverick-17B-128E-Instruct-FP8
//!   - llamaapi:Llama-3.3-70B-Instruct
//!   - llamaapi:chat:Llama-3.3-8B-Instruct # Explicit chat format
//! ```
//!
//! `models = [...]` generates one test per model inside `mod compares_models`,
//! so `cargo test compares_models::` runs the group.

use llama_test::prelude::*;

#[llama_eval(
    models = [
        "llamaapi:Llama-4-Maverick-17B-128E-Instruct-FP8",
        "llamaapi:Llama-3.3-70B-Instruct",
        "llamaapi:chat:Llama-3.3-8B-Instruct",
    ],
    prompt = "Explain quantum computing in simple terms",
    max_tokens = 256,
    assert(icontains = "quantum", max_tokens_used = 2000),
)]
fn compares_models(out: Output) {
    assert!(
        !out.model().starts_with("llamaapi:"),
        "the provider prefix is not sent"
    );
    assert_output_snapshot!(out);
}

/// The accelerated variants are text-only, with smaller context windows.
#[llama_eval(
    models = [
        "Cerebras-Llama-4-Maverick-17B-128E-Instruct",
        "Cerebras-Llama-4-Scout-17B-16E-Instruct",
        "Groq-Llama-4-Maverick-17B-128E-Instruct",
        "Llama-4-Scout-17B-16E-Instruct-FP8",
    ],
    prompt = "In one sentence: why does low latency matter for chatbots?",
    assert(contains = "latency"),
)]
fn accelerated_variants(out: Output) {
    out.assert_no_tool_call();
}
