//! `#[ignore]`d evals that the driver tests run in a child process, to see
//! what a user would see when they fail: a `llama-test FAIL` or `ERROR`
//! message. `cargo test` alone never runs them.

use llama_test::prelude::*;

/// `record_replay::capital` with a drifted prompt (Spain, not France).
#[llama_eval(
    model = "llamacpp:tiny",
    prompt = "What is the capital of Spain?",
    temperature = 0,
    max_tokens = 16,
    top_k = 40,
    repetition_penalty = 1.0,
    assert(stop_reason = "length", word_count(min = 1), max_tokens_used = 200)
)]
#[ignore = "probe: run by record_replay::drifted_prompt_is_caught_on_replay"]
fn drifted_capital(out: Output) {
    let _ = out;
}

/// A schema whose string has no bound: cut at `max_tokens`.
#[llama_eval(
    model = "llamacpp:tiny",
    prompt = "Review this product: wireless headphones with great sound.",
    json_schema = "tests/data/unbounded_review.json",
    temperature = 0,
    max_tokens = 24,
    assert(is_json)
)]
#[ignore = "probe: run by json_schema::unbounded_schema_cut_at_max_tokens_is_a_fail"]
fn unbounded_schema_cut(out: Output) {
    let _ = out;
}

/// The nudge with `tool_choice = "auto"`: llama.cpp rejects the call.
#[llama_eval(
    model = "llamacpp:tiny",
    tools = "tests/data/get_weather.json",
    tool_choice = "auto",
    extra_body = r#"{"logit_bias": [[5018, 20]]}"#,
    prompt = "What is the weather like in Paris?",
    temperature = 0,
    max_tokens = 64,
    assert(function_call = "get_weather")
)]
#[ignore = "probe: run by tools::auto_malformed_call_is_a_fail_not_an_error"]
fn auto_malformed_call(out: Output) {
    let _ = out;
}

/// The same, streamed: llama.cpp answers 200 and an `error` event.
#[llama_eval(
    model = "llamacpp:tiny",
    tools = "tests/data/get_weather.json",
    tool_choice = "auto",
    extra_body = r#"{"logit_bias": [[5018, 20]]}"#,
    prompt = "What is the weather like in Paris?",
    stream = true,
    temperature = 0,
    max_tokens = 64,
    assert(function_call = "get_weather")
)]
#[ignore = "probe: run by tools::streamed_auto_malformed_call_is_a_fail_not_an_error"]
fn auto_malformed_call_streamed(out: Output) {
    let _ = out;
}

/// The smallest live call (wrong key, server down).
#[llama_eval(
    model = "llamacpp:tiny",
    prompt = "Say hi.",
    temperature = 0,
    max_tokens = 4,
    record = "live"
)]
#[ignore = "probe: run by the errors:: tests"]
fn says_hi(out: Output) {
    let _ = out;
}

/// About 2,600 prompt tokens, for a 512-token slot (and more than the
/// whole 2,048-token context).
#[llama_eval(
    model = "llamacpp:tiny",
    messages = "tests/data/too_long.json",
    temperature = 0,
    max_tokens = 4,
    record = "live"
)]
#[ignore = "probe: run by errors::prompt_over_the_context_is_400"]
fn too_long(out: Output) {
    let _ = out;
}

#[llama_eval(
    model = "llamacpp:tiny",
    messages = "tests/data/too_long.json",
    stream = true,
    temperature = 0,
    max_tokens = 4,
    record = "live"
)]
#[ignore = "probe: run by errors::streamed_prompt_over_the_context_is_400"]
fn too_long_streamed(out: Output) {
    let _ = out;
}

/// `tools` must be an array; `extra_body` overrides it with a string.
#[llama_eval(
    model = "llamacpp:tiny",
    prompt = "Say hi.",
    extra_body = r#"{"tools": "not a list"}"#,
    temperature = 0,
    max_tokens = 4,
    record = "live"
)]
#[ignore = "probe: run by errors::malformed_body_is_500"]
fn malformed_body(out: Output) {
    let _ = out;
}
