//! Non-streaming responses, from the literal bodies in
//! reference/llama-api-wire.md §3 and OpenAI-shaped compat bodies.

use serde_json::{Value, json};

use super::parse_completion;
use crate::completion::{StopReason, Usage};
use crate::error::Error;
use crate::request::Endpoint;

fn parse(body: &str, endpoint: Endpoint) -> crate::Completion {
    let value: Value = serde_json::from_str(body).unwrap();
    parse_completion("m", endpoint, &value).unwrap()
}

#[test]
fn native_text_answer_with_metrics() {
    let c = parse(
        r#"{"completion_message":{"role":"assistant","stop_reason":"stop",
  "content":{"type":"text","text":"The classic joke! There are many possible answers, but the most common one is: \"To get to the other side!\" Would you like to hear some variations or alternative punchlines?"}},
 "metrics":[{"metric":"num_completion_tokens","value":38,"unit":"tokens"},
            {"metric":"num_prompt_tokens","value":22,"unit":"tokens"},
            {"metric":"num_total_tokens","value":60,"unit":"tokens"}]}"#,
        Endpoint::Native,
    );
    assert!(c.text.starts_with("The classic joke!"));
    assert_eq!(c.stop_reason, Some(StopReason::Stop));
    assert_eq!(
        c.usage,
        Some(Usage {
            prompt_tokens: 22,
            completion_tokens: 38,
            total_tokens: 60
        })
    );
    assert!(c.id.is_none());
    assert!(c.tool_calls.is_empty());
    assert!(!c.streamed);
}

#[test]
fn native_tool_call_with_stop_reason_stop_is_a_tool_call() {
    let c = parse(
        r#"{"completion_message":{"content":{"type":"text","text":""},"role":"assistant","stop_reason":"stop",
  "tool_calls":[{"id":"f95133c0-df35-4e80-9caf-23ca180b739d","function":{"name":"get_weather","arguments":"{\"location\":\"Menlo Park\"}"}}]},
 "metrics":[{"metric":"num_completion_tokens","value":9,"unit":"tokens"},{"metric":"num_prompt_tokens","value":516,"unit":"tokens"},
            {"metric":"num_total_tokens","value":525,"unit":"tokens"}]}"#,
        Endpoint::Native,
    );
    assert_eq!(c.stop_reason, Some(StopReason::ToolCalls));
    assert_eq!(c.tool_calls.len(), 1);
    let call = &c.tool_calls[0];
    assert_eq!(call.id, "f95133c0-df35-4e80-9caf-23ca180b739d");
    assert_eq!(call.name, "get_weather");
    assert_eq!(call.arguments, json!({"location": "Menlo Park"}));
    assert_eq!(c.usage.unwrap().total_tokens, 525);
}

#[test]
fn native_lenient_shapes() {
    // String content, float metric values, an id, empty tool_calls.
    let c = parse(
        r#"{"id":"AgxYOFsu1QLBrt2fWbs7pDy","completion_message":{"content":"hi","tool_calls":[]},
            "metrics":[{"metric":"num_prompt_tokens","value":5.0},{"metric":"num_completion_tokens","value":2.0}]}"#,
        Endpoint::Native,
    );
    assert_eq!(c.text, "hi");
    assert_eq!(c.id.as_deref(), Some("AgxYOFsu1QLBrt2fWbs7pDy"));
    assert_eq!(c.stop_reason, None);
    assert_eq!(
        c.usage,
        Some(Usage {
            prompt_tokens: 5,
            completion_tokens: 2,
            total_tokens: 7
        })
    );
    // Array content and invalid tool-call arguments kept raw.
    let c = parse(
        r#"{"completion_message":{"content":[{"type":"text","text":"a"},{"type":"text","text":"b"}],
            "tool_calls":[{"id":"1","function":{"name":"f","arguments":"{\"x\": "}}]}}"#,
        Endpoint::Native,
    );
    assert_eq!(c.text, "ab");
    assert_eq!(c.tool_calls[0].arguments, Value::Null);
    assert_eq!(c.tool_calls[0].raw_arguments, "{\"x\": ");
    assert!(c.usage.is_none());
}

#[test]
fn compat_answer_with_usage_and_tool_calls() {
    let c = parse(
        r#"{"id":"chatcmpl-1","object":"chat.completion","model":"m",
            "choices":[{"index":0,"message":{"role":"assistant","content":null,
              "tool_calls":[{"id":"call_1","type":"function","function":{"name":"get_weather","arguments":"{\"location\":\"Paris\"}"}}]},
              "finish_reason":"tool_calls"}],
            "usage":{"prompt_tokens":10,"completion_tokens":5,"total_tokens":15}}"#,
        Endpoint::Compat,
    );
    assert_eq!(c.id.as_deref(), Some("chatcmpl-1"));
    assert_eq!(c.text, "");
    assert_eq!(c.tool_calls[0].arguments["location"], "Paris");
    assert_eq!(c.stop_reason, Some(StopReason::ToolCalls));
    assert_eq!(c.usage.unwrap().total_tokens, 15);
    assert_eq!(c.endpoint, Endpoint::Compat);

    let c = parse(
        r#"{"choices":[{"message":{"role":"assistant","content":"Paris."},"finish_reason":"length"}]}"#,
        Endpoint::Compat,
    );
    assert_eq!(c.text, "Paris.");
    assert_eq!(c.stop_reason, Some(StopReason::Length));
}

#[test]
fn unknown_body_is_a_decode_error() {
    let err = parse_completion("m", Endpoint::Native, &json!({"weird": true})).unwrap_err();
    assert!(matches!(err, Error::Decode { .. }));
    assert!(err.to_string().contains("completion_message"), "{err}");
}

#[test]
fn reasoning_is_read_from_either_field_and_an_error_in_a_200_is_an_error() {
    for field in ["reasoning_content", "reasoning"] {
        let body = format!(
            r#"{{"choices":[{{"message":{{"role":"assistant","content":"4","{field}":"2+2 is 4"}},"finish_reason":"stop"}}]}}"#
        );
        let c = parse(&body, Endpoint::Compat);
        assert_eq!(c.reasoning.as_deref(), Some("2+2 is 4"), "{field}");
        assert_eq!(c.text, "4");
    }
    let body: serde_json::Value = serde_json::from_str(
        r#"{"error":{"code":429,"message":"Rate limit exceeded: free-models-per-min","metadata":{}}}"#,
    )
    .unwrap();
    let err = crate::wire::parse_completion("m", Endpoint::Compat, &body).unwrap_err();
    assert!(matches!(err, crate::Error::RateLimited { .. }), "{err:?}");
    assert!(err.to_string().contains("free-models-per-min"));
}

#[test]
fn groq_stream_usage_is_read_from_x_groq() {
    let mut a = crate::wire::StreamAssembler::new("m", Endpoint::Compat);
    a.push(
        "message",
        r#"{"choices":[{"delta":{"content":"Hi"},"finish_reason":null}]}"#,
    )
    .unwrap();
    a.push(
        "message",
        r#"{"choices":[{"delta":{},"finish_reason":"stop"}],"x_groq":{"usage":{"prompt_tokens":5,"completion_tokens":1,"total_tokens":6}}}"#,
    )
    .unwrap();
    a.push("message", "[DONE]").unwrap();
    let c = a.finish().unwrap();
    assert_eq!(c.usage.unwrap().total_tokens, 6);
}
