//! Tool calls. With `tool_choice = "required"` llama.cpp's grammar still
//! lets the model write text before the call, which the random model never
//! gets past; a `logit_bias` on the `{"` token (sent with `extra_body`)
//! nudges it into the call. llama.cpp answers `tool_calls` with 32-character
//! ids (no `call_` prefix), `arguments` as a JSON string with raw
//! whitespace, and `content: ""`. With `auto` the same nudge makes it write
//! a call its parser rejects: a 500 "does not match the expected ...
//! format" (streamed: a 200 whose last event is that error), which is the
//! model failing (a FAIL), not a retried ERROR.

use llama_test::prelude::*;

use crate::support::expected::same_output;
use crate::support::{failing_probe, recorded};

#[llama_eval(
    model = "llamacpp:tiny",
    tools = "tests/data/get_weather.json",
    tool_choice = "required",
    extra_body = r#"{"logit_bias": [[5018, 20]]}"#,
    prompt = "What is the weather like in Paris?",
    temperature = 0,
    max_tokens = 64,
    assert(
        function_call = "get_weather",
        stop_reason = "tool_calls",
        tool_call_count = 1
    )
)]
fn required_call_with_nudge(out: Output) {
    let call = out.assert_function_call("get_weather");
    assert_eq!(call.id.len(), 32, "{:?}", call.id);
    assert!(call.id.chars().all(|c| c.is_ascii_alphanumeric()));
    assert_eq!(out.text(), "");
    assert!(call.arguments.is_object());
    assert!(
        call.raw_arguments.contains(char::is_whitespace),
        "raw whitespace kept: {:?}",
        call.raw_arguments
    );
    same_output(&out, "");
}

/// The wire form of the call, as recorded.
#[test]
fn recorded_call_has_llamacpp_shape() {
    let Some(fixture) = recorded(
        "tools::recorded_call_has_llamacpp_shape",
        "tools::required_call_with_nudge",
    ) else {
        return;
    };
    let interaction = &fixture["interactions"][0];
    assert_eq!(
        interaction["request"]["body"]["logit_bias"],
        serde_json::json!([[5018, 20]])
    );
    assert_eq!(interaction["request"]["body"]["tool_choice"], "required");
    let choice = &interaction["response"]["body"]["json"]["choices"][0];
    assert_eq!(choice["finish_reason"], "tool_calls");
    assert_eq!(choice["message"]["content"], "");
    let call = &choice["message"]["tool_calls"][0];
    assert_eq!(call["type"], "function");
    assert!(call["function"]["arguments"].is_string());
}

/// The tool's result goes back (`role: tool` with the call's id) and the
/// model answers in text.
#[llama_eval(
    model = "llamacpp:tiny",
    tools = "tests/data/get_weather.json",
    tool_choice = "required",
    extra_body = r#"{"logit_bias": [[5018, 20]]}"#,
    prompt = "What is the weather like in Paris?",
    temperature = 0,
    max_tokens = 64,
    assert(function_call = "get_weather")
)]
async fn tool_result_follow_up(out: Output) {
    let call = out.assert_function_call("get_weather").clone();
    let mut request = out
        .follow_up()
        .tool_result(&call.id, r#"{"temperature": 21, "unit": "celsius"}"#)
        .max_tokens(24)
        .request()
        .clone();
    // `follow_up()` keeps the nudge, and with `tool_choice` back to auto
    // the nudged model writes a malformed call (see
    // `auto_malformed_call_is_a_fail_not_an_error`); the `Eval` builder has
    // no `extra_body` setter, so it is cleared on the request.
    request.extra_body = None;
    let answer = Eval::from_request(request).run().await;
    answer.assert_no_tool_call();
    assert!(!answer.text().is_empty());
    let sent = answer.request().messages.last().unwrap();
    assert_eq!(sent.tool_call_id.as_deref(), Some(call.id.as_str()));
    let history = &answer.request().messages[1];
    assert_eq!(history.tool_calls[0].id, call.id);
    same_output(&out, "");
    same_output(&answer, "follow_up");
}

#[test]
fn auto_malformed_call_is_a_fail_not_an_error() {
    let test = "tools::auto_malformed_call_is_a_fail_not_an_error";
    let Some(failure) = failing_probe(test, "probes::auto_malformed_call") else {
        return;
    };
    assert!(failure.contains("llama-test FAIL"), "{failure}");
    assert!(!failure.contains("llama-test ERROR"), "{failure}");
    assert!(
        failure.contains("does not match the expected"),
        "names llama.cpp's reason: {failure}"
    );
    // Recorded once: a retried 500 would be a replay miss ("sends it more
    // often than when it was recorded"), and live an ERROR after 3 attempts.
    if let Some(fixture) = recorded(test, "probes::auto_malformed_call") {
        let interactions = fixture["interactions"].as_array().unwrap();
        assert_eq!(interactions.len(), 1);
        assert_eq!(interactions[0]["response"]["status"], 500);
    }
}

/// Streamed, llama.cpp answers 200, a role chunk, then the 500 as an
/// `error` event (and no `[DONE]`): the same FAIL as unstreamed.
#[test]
fn streamed_auto_malformed_call_is_a_fail_not_an_error() {
    let test = "tools::streamed_auto_malformed_call_is_a_fail_not_an_error";
    let Some(failure) = failing_probe(test, "probes::auto_malformed_call_streamed") else {
        return;
    };
    assert!(failure.contains("llama-test FAIL"), "{failure}");
    assert!(!failure.contains("llama-test ERROR"), "{failure}");
    assert!(
        failure.contains("does not match the expected"),
        "names llama.cpp's reason: {failure}"
    );
    if let Some(fixture) = recorded(test, "probes::auto_malformed_call_streamed") {
        let response = &fixture["interactions"][0]["response"];
        assert_eq!(response["status"], 200);
        let events = response["body"]["sse"].as_array().unwrap();
        assert!(
            events
                .last()
                .unwrap()
                .as_str()
                .unwrap()
                .contains("\"error\"")
        );
    }
}
