//! The seed's text, JSON-schema and tool-calling evals on the hosts where
//! Llama runs since Meta retired its hosted API (2026-07-06): OpenRouter,
//! Ollama, llama.cpp's `llama-server` and AWS Bedrock (Converse). One test per provider; the
//! fixtures name the provider (`/openrouter/v1/chat/completions`), never the
//! host, so a recording made against a laptop's Ollama replays in CI.
//!
//! Recorded against the simulator's dialect for each host (the real
//! llama.cpp server has its own suite, `real-server/`):
//!
//! ```sh
//! cargo run -p llama-test --features sim --bin llama-test-sim   # prints the exports
//! LLAMA_TEST_MODE=record cargo test -p llama-test-examples providers::
//! ```

use llama_test::prelude::*;
use serde::Deserialize;

#[llama_eval(
    models = [
        "openrouter:meta-llama/llama-3.3-70b-instruct",
        "ollama:chat:llama3.3",
        "llamacpp:tiny",
        "bedrock:meta.llama3-3-70b-instruct-v1:0",
    ],
    prompt = "Explain quantum computing in simple terms",
    temperature = 0,
    max_tokens = 200,
    // A cost gate: OpenRouter's built-in price, local servers free; the
    // replay reports the recorded usage, so it holds offline.
    assert(icontains = "quantum", word_count(min = 5), max_cost = 0.001)
)]
fn explains_quantum(out: Output) {
    assert!(out.usage().is_some_and(|u| u.total_tokens > 0));
}

#[derive(Debug, Deserialize)]
struct Review {
    rating: u8,
}

#[llama_eval(
    models = [
        "openrouter:meta-llama/llama-3.3-70b-instruct",
        "ollama:chat:llama3.3",
        "llamacpp:tiny",
        "bedrock:meta.llama3-3-70b-instruct-v1:0",
    ],
    json_schema = "tests/data/product_review.json",
    prompt = "Review this product: {{product_description}}",
    case(name = "headphones", product_description = "Wireless headphones with great sound quality but short battery life"),
    assert(is_json)
)]
fn product_review(out: Output) {
    let review: Review = out.json().expect("a schema-valid review");
    assert!((1..=5).contains(&review.rating), "rating {}", review.rating);
}

#[llama_eval(
    models = [
        "openrouter:meta-llama/llama-3.3-70b-instruct",
        "ollama:chat:llama3.3",
        "llamacpp:tiny",
        "bedrock:meta.llama3-3-70b-instruct-v1:0",
    ],
    tools = "tests/data/get_weather.json",
    tool_choice = "required",
    prompt = "What's the weather like in {{city}}?",
    case(name = "nyc", city = "New York, NY"),
    assert(function_call = "get_weather")
)]
fn get_weather(out: Output) {
    let call = out.assert_function_call("get_weather");
    let location = call.arguments["location"].as_str().unwrap_or_default();
    assert!(location.contains("New York"), "location was {location:?}");
}

#[llama_eval(
    model = "llamacpp:tiny",
    prompt = "Count to five.",
    stream = true,
    max_tokens = 64,
    assert(word_count(min = 1))
)]
fn streams_with_usage(out: Output) {
    assert!(out.time_to_first_token().is_some());
    assert!(out.usage().is_some(), "usage comes from the trailing chunk");
}

/// The rubric grader runs on any provider: here a local llama.cpp model
/// grades OpenRouter's answer (a default can also sit in `llama-test.toml`,
/// `[grader] model = "..."`). The grader fails closed as on the Llama API.
#[llama_eval(
    model = "openrouter:meta-llama/llama-3.3-70b-instruct",
    grader = "llamacpp:tiny",
    prompt = "Explain quantum computing in simple terms",
    assert(llm_rubric = "Explains quantum computing without jargon")
)]
fn graded_by_another_provider(out: Output) {
    let requests: Vec<_> = out
        .request()
        .messages
        .iter()
        .map(|m| m.text_content())
        .collect();
    assert!(requests.iter().any(|t| t.contains("quantum")));
}
