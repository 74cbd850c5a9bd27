//! Streaming: llama.cpp's real SSE (a first `delta.role` chunk with
//! `content: null`, one chunk per token, a finish chunk with an empty
//! delta, with `stream_options.include_usage` an empty-`choices` chunk with
//! `usage` and `timings`, then `data: [DONE]`) assembles to the answer the
//! same request gets unstreamed.

use llama_test::prelude::*;
use serde_json::Value;

use crate::support::expected::same_output;
use crate::support::recorded;

#[llama_eval(
    model = "llamacpp:tiny",
    prompt = "Tell me a story about a llama who learns to code.",
    stream = true,
    temperature = 0,
    max_tokens = 24,
    assert(stop_reason = "length", word_count(min = 1))
)]
async fn streamed_equals_unstreamed(out: Output) {
    assert!(out.completion().streamed);
    assert!(out.time_to_first_token().is_some());
    let usage = out
        .usage()
        .expect("the usage chunk (`stream_options.include_usage`)");
    assert_eq!(usage.completion_tokens, 24);
    let plain = Eval::from_request(out.request().clone())
        .stream(false)
        .run()
        .await;
    assert!(!plain.completion().streamed);
    assert_eq!(out.text(), plain.text());
    assert_eq!(out.stop_reason(), plain.stop_reason());
    assert_eq!(out.usage(), plain.usage());
    same_output(&out, "");
    same_output(&plain, "unstreamed");
}

/// A streamed tool call (first delta with `index`, `id`, `type`, `name` and
/// `"arguments": "{"`, then argument fragments) joins to the unstreamed
/// call's arguments. Each answer has its own random 32-character id.
///
/// The two are compared by their parsed arguments, not their raw text or
/// token count: recording, the two requests share their batches with
/// different neighbours (the streamed one is prefetched with the whole
/// suite), and llama.cpp's batching is not batch-invariant, so the
/// whitespace the grammar allows inside the arguments may differ
/// (`scripts/OBSERVED.md`), and a replay of that recording serves the same
/// difference. The exact joined text is pinned by `same_output`, against
/// the committed expectation.
#[llama_eval(
    model = "llamacpp:tiny",
    tools = "tests/data/get_weather.json",
    tool_choice = "required",
    extra_body = r#"{"logit_bias": [[5018, 20]]}"#,
    prompt = "What is the weather like in Paris?",
    stream = true,
    temperature = 0,
    max_tokens = 64,
    assert(function_call = "get_weather", stop_reason = "tool_calls")
)]
async fn streamed_tool_call_equals_unstreamed(out: Output) {
    assert!(out.completion().streamed);
    assert!(out.usage().is_some());
    let plain = Eval::from_request(out.request().clone())
        .stream(false)
        .run()
        .await;
    let (streamed, unstreamed) = (out.tool_calls(), plain.tool_calls());
    assert_eq!(streamed.len(), 1);
    assert_eq!(unstreamed.len(), 1);
    assert_eq!(streamed[0].name, unstreamed[0].name);
    assert_eq!(streamed[0].arguments, unstreamed[0].arguments);
    assert_ne!(streamed[0].id, unstreamed[0].id);
    same_output(&out, "");
    same_output(&plain, "unstreamed");
}

/// The recording is llama.cpp's stream as it came, event by event.
#[test]
fn recorded_stream_has_llamacpp_shape() {
    let Some(fixture) = recorded(
        "streaming::recorded_stream_has_llamacpp_shape",
        "streaming::streamed_equals_unstreamed",
    ) else {
        return;
    };
    let interaction = &fixture["interactions"][0];
    let body = &interaction["request"]["body"];
    assert_eq!(body["stream"], true);
    assert_eq!(body["stream_options"]["include_usage"], true);
    assert_eq!(
        interaction["response"]["headers"]["content-type"],
        "text/event-stream"
    );
    let events: Vec<&str> = interaction["response"]["body"]["sse"]
        .as_array()
        .expect("an SSE body")
        .iter()
        .map(|e| e.as_str().unwrap())
        .collect();
    assert_eq!(events.last(), Some(&"[DONE]"));
    let chunks: Vec<Value> = events[..events.len() - 1]
        .iter()
        .map(|e| serde_json::from_str(e).unwrap())
        .collect();
    assert_eq!(
        chunks[0]["choices"][0]["delta"],
        serde_json::json!({"role": "assistant", "content": null}),
        "first chunk"
    );
    let usage_chunk = chunks.last().unwrap();
    assert_eq!(usage_chunk["choices"], serde_json::json!([]));
    assert!(usage_chunk["timings"].is_object());
    let completion_tokens = usage_chunk["usage"]["completion_tokens"].as_u64().unwrap();
    let finish = &chunks[chunks.len() - 2]["choices"][0];
    assert_eq!(finish["finish_reason"], "length");
    assert_eq!(finish["delta"], serde_json::json!({}));
    let content_chunks = chunks
        .iter()
        .filter(|c| c["choices"][0]["delta"]["content"].is_string())
        .count() as u64;
    assert_eq!(content_chunks, completion_tokens, "one chunk per token");
    assert!(chunks.iter().all(|c| c["model"] == "tiny"));
}
