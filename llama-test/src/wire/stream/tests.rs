//! Stream assembly from raw SSE text, through the same framing the client
//! uses (`sse::events`), so chunk boundaries are exercised too.

use futures_util::{StreamExt, stream};
use serde_json::json;

use super::StreamAssembler;
use crate::completion::{Completion, StopReason};
use crate::error::{Error, Result};
use crate::request::Endpoint;
use crate::wire::sse;

/// Runs `body`, cut into `chunk`-byte pieces, through framing and assembly.
async fn assemble_chunked(body: &str, endpoint: Endpoint, chunk: usize) -> Result<Completion> {
    let pieces: Vec<Result<Vec<u8>, std::convert::Infallible>> = body
        .as_bytes()
        .chunks(chunk)
        .map(|c| Ok(c.to_vec()))
        .collect();
    let events: Vec<_> = sse::events(stream::iter(pieces)).collect().await;
    let mut assembler = StreamAssembler::new("m", endpoint);
    for event in events {
        let event = event.unwrap();
        assembler.push(&event.event, &event.data)?;
        if assembler.is_done() {
            break;
        }
    }
    assembler.finish()
}

async fn assemble(body: &str, endpoint: Endpoint) -> Result<Completion> {
    let whole = assemble_chunked(body, endpoint, body.len().max(1)).await;
    for size in [1, 7, 64] {
        assert_eq!(
            format!("{:?}", assemble_chunked(body, endpoint, size).await),
            format!("{whole:?}"),
            "chunk size {size} changed the result"
        );
    }
    whole
}

const NATIVE_TEXT: &str = r#"data: {"id":"r1","event":{"event_type":"start","delta":{"type":"text","text":""}}}

data: {"id":"r1","event":{"event_type":"progress","delta":{"type":"text","text":"Hello"}}}

data: {"id":"r1","event":{"event_type":"progress","delta":{"type":"text","text":" there!"}}}

data: {"id":"r1","event":{"event_type":"complete","delta":{"type":"text","text":""},"stop_reason":"stop"}}

data: {"id":"r1","event":{"event_type":"metrics","delta":{"type":"text","text":""},"metrics":[{"metric":"num_completion_tokens","value":3,"unit":"tokens"},{"metric":"num_prompt_tokens","value":12,"unit":"tokens"},{"metric":"num_total_tokens","value":15,"unit":"tokens"}]}}

"#;

#[tokio::test]
async fn native_text_stream() {
    let c = assemble(NATIVE_TEXT, Endpoint::Native).await.unwrap();
    assert_eq!(c.text, "Hello there!");
    assert_eq!(c.id.as_deref(), Some("r1"));
    assert_eq!(c.stop_reason, Some(StopReason::Stop));
    assert_eq!(c.usage.unwrap().total_tokens, 15);
    assert!(c.streamed);
}

#[tokio::test]
async fn native_fragmented_tool_calls_concatenate_and_new_ids_start_new_calls() {
    let body = concat!(
        r#"data: {"event":{"event_type":"progress","delta":{"type":"tool_call","id":"466d","function":{"name":"get_weather"}}}}"#,
        "\n\n",
        r#"data: {"event":{"event_type":"progress","delta":{"type":"tool_call","function":{"arguments":"{\"loca"}}}}"#,
        "\n\n",
        r#"data: {"event":{"event_type":"progress","delta":{"type":"tool_call","id":null,"function":{"arguments":"tion\":\"Bellevue\"}"}}}}"#,
        "\n\n",
        r#"data: {"event":{"event_type":"progress","delta":{"type":"tool_call","id":"777a","function":{"name":"get_time","arguments":"{}"}}}}"#,
        "\n\n",
        r#"data: {"event":{"event_type":"progress","delta":{"type":"reasoning","text":"ignored"}}}"#,
        "\n\n",
        r#"data: {"event":{"event_type":"heartbeat"}}"#,
        "\n\n",
        r#"data: {"event":{"event_type":"complete","delta":{"type":"text","text":""},"stop_reason":"stop"}}"#,
        "\n\n",
    );
    let c = assemble(body, Endpoint::Native).await.unwrap();
    assert_eq!(c.tool_calls.len(), 2);
    assert_eq!(c.tool_calls[0].id, "466d");
    assert_eq!(c.tool_calls[0].name, "get_weather");
    assert_eq!(c.tool_calls[0].arguments, json!({"location": "Bellevue"}));
    assert_eq!(c.tool_calls[1].name, "get_time");
    // Tool calls win over the server's "stop".
    assert_eq!(c.stop_reason, Some(StopReason::ToolCalls));
    assert_eq!(c.text, "");
}

#[tokio::test]
async fn native_mid_stream_error_line_is_an_error() {
    let body = concat!(
        r#"data: {"event":{"event_type":"progress","delta":{"type":"text","text":"Hel"}}}"#,
        "\n\n",
        r#"{"error":{"message":"upstream model crashed","type":"server_error"}}"#,
        "\n",
        r#"data: {"event":{"event_type":"complete","delta":{"type":"text","text":""},"stop_reason":"stop"}}"#,
        "\n\n",
    );
    let err = assemble(body, Endpoint::Native).await.unwrap_err();
    assert!(matches!(err, Error::Stream { .. }));
    assert!(err.to_string().contains("upstream model crashed"), "{err}");

    let body = "data: {\"error\":\"overloaded\"}\n\n";
    let err = assemble(body, Endpoint::Native).await.unwrap_err();
    assert!(err.to_string().contains("overloaded"), "{err}");
}

#[tokio::test]
async fn truncated_native_stream_is_an_error_not_a_short_answer() {
    let cut = NATIVE_TEXT
        .split("data: {\"id\":\"r1\",\"event\":{\"event_type\":\"complete\"")
        .next()
        .unwrap();
    let err = assemble(cut, Endpoint::Native).await.unwrap_err();
    assert!(matches!(err, Error::Stream { .. }));
    assert!(err.to_string().contains("`complete` event"), "{err}");
    // Cut in the middle of a JSON payload.
    let err = assemble(&NATIVE_TEXT[..150], Endpoint::Native)
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Stream { .. }), "{err}");
}

const COMPAT_TOOLS: &str = r#"data: {"id":"c1","choices":[{"index":0,"delta":{"role":"assistant","content":null,"tool_calls":[{"index":0,"id":"call_a","type":"function","function":{"name":"get_weather","arguments":""}}]},"finish_reason":null}]}

data: {"id":"c1","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"{\"location\":"}}]},"finish_reason":null}]}

data: {"id":"c1","choices":[{"index":0,"delta":{"tool_calls":[{"index":1,"id":"call_b","function":{"name":"get_time","arguments":"{}"}}]},"finish_reason":null}]}

data: {"id":"c1","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"\"Paris\"}"}}]},"finish_reason":null}]}

data: {"id":"c1","choices":[{"index":0,"delta":{},"finish_reason":"tool_calls"}]}

data: {"id":"c1","choices":[],"usage":{"prompt_tokens":20,"completion_tokens":8,"total_tokens":28}}

data: [DONE]

"#;

#[tokio::test]
async fn compat_tool_call_stream_by_index_with_usage_and_done() {
    let c = assemble(COMPAT_TOOLS, Endpoint::Compat).await.unwrap();
    assert_eq!(c.id.as_deref(), Some("c1"));
    assert_eq!(c.tool_calls.len(), 2);
    assert_eq!(c.tool_calls[0].id, "call_a");
    assert_eq!(c.tool_calls[0].arguments, json!({"location": "Paris"}));
    assert_eq!(c.tool_calls[1].id, "call_b");
    assert_eq!(c.stop_reason, Some(StopReason::ToolCalls));
    assert_eq!(c.usage.unwrap().total_tokens, 28);
}

#[tokio::test]
async fn compat_text_stream_and_truncation() {
    let body = concat!(
        r#"data: {"choices":[{"index":0,"delta":{"role":"assistant","content":"Bon"}}]}"#,
        "\n\n",
        r#"data: {"choices":[{"index":0,"delta":{"content":"jour"}}]}"#,
        "\n\n",
    );
    let err = assemble(body, Endpoint::Compat).await.unwrap_err();
    assert!(err.to_string().contains("[DONE]"), "{err}");
    let done = format!("{body}data: [DONE]\n\n");
    assert_eq!(
        assemble(&done, Endpoint::Compat).await.unwrap().text,
        "Bonjour"
    );
    let finished = format!(
        "{body}{}\n\n",
        r#"data: {"choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}"#
    );
    let c = assemble(&finished, Endpoint::Compat).await.unwrap();
    assert_eq!(c.stop_reason, Some(StopReason::Stop));
    // Events after [DONE] are ignored.
    let mut assembler = StreamAssembler::new("m", Endpoint::Compat);
    assembler.push("message", "[DONE]").unwrap();
    assert!(!assembler.push("message", "{\"error\":\"late\"}").unwrap());
}

#[tokio::test]
async fn first_content_is_reported_for_time_to_first_token() {
    let mut a = StreamAssembler::new("m", Endpoint::Native);
    let start = r#"{"event":{"event_type":"start","delta":{"type":"text","text":""}}}"#;
    let progress = r#"{"event":{"event_type":"progress","delta":{"type":"text","text":"x"}}}"#;
    assert!(!a.push("message", start).unwrap());
    assert!(a.push("message", progress).unwrap());
}
