//! Unit tests of the Converse wire format: request bodies, answers, the
//! event stream, SigV4 and the environment.

use std::collections::HashMap;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde_json::{Value, json};

use super::auth::{region_from_lookup, sign_for_service};
use super::*;
use crate::completion::{Completion, StopReason, ToolCall, Usage};
use crate::error::Error;
use crate::request::{ChatRequest, JsonSchemaFormat, Message, Tool, ToolChoice};

const MODEL: &str = "meta.llama3-3-70b-instruct-v1:0";

fn request() -> ChatRequest {
    ChatRequest::new(MODEL)
}

fn weather_tool() -> Tool {
    Tool::function(
        "get_weather",
        json!({"type": "object", "properties": {"location": {"type": "string"}}, "required": ["location"]}),
    )
    .description("Current weather of a city")
}

fn body(request: &ChatRequest) -> Value {
    converse_body(request).expect("the request maps to a Converse body")
}

fn config_message(result: crate::error::Result<Value>) -> String {
    match result {
        Err(Error::Config(message)) => message,
        other => panic!("expected Error::Config, got {other:?}"),
    }
}

fn invalid_message(result: crate::error::Result<Value>) -> String {
    match result {
        Err(Error::InvalidRequest(message)) => message,
        other => panic!("expected Error::InvalidRequest, got {other:?}"),
    }
}

// ---------------------------------------------------------------- paths

#[test]
fn model_ids_are_percent_encoded_like_the_aws_sdks() {
    assert_eq!(
        converse_path(MODEL, false),
        "/model/meta.llama3-3-70b-instruct-v1%3A0/converse"
    );
    assert_eq!(
        converse_path("us.meta.llama4-maverick-17b-instruct-v1:0", true),
        "/model/us.meta.llama4-maverick-17b-instruct-v1%3A0/converse-stream"
    );
    // An inference-profile ARN stays one path segment.
    assert_eq!(
        converse_path(
            "arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.meta.llama3-3-70b-instruct-v1:0",
            false
        ),
        "/model/arn%3Aaws%3Abedrock%3Aus-east-1%3A123456789012%3Ainference-profile%2Fus.meta.llama3-3-70b-instruct-v1%3A0/converse"
    );
    assert_eq!(
        endpoint_url("eu-west-1"),
        "https://bedrock-runtime.eu-west-1.amazonaws.com"
    );
}

// ---------------------------------------------------------------- bodies

#[test]
fn system_user_and_sampling_map_to_converse_fields() {
    let mut r = request()
        .message(Message::system("You are terse."))
        .message(Message::user("Hello"));
    r.sampling.max_tokens = Some(256);
    r.sampling.temperature = Some(0.0);
    r.sampling.top_p = Some(0.9);
    r.stream = true; // the body is the same; only the path differs
    assert_eq!(
        body(&r),
        json!({
            "messages": [{"role": "user", "content": [{"text": "Hello"}]}],
            "system": [{"text": "You are terse."}],
            "inferenceConfig": {"maxTokens": 256, "temperature": 0.0, "topP": 0.9},
        })
    );
    // Nothing set, nothing sent.
    assert_eq!(
        body(&request().message(Message::user("Hi"))),
        json!({"messages": [{"role": "user", "content": [{"text": "Hi"}]}]})
    );
}

#[test]
fn data_url_images_become_image_bytes() {
    let r = request().message(
        Message::user("What is in this image?")
            .with_image_url("data:image/png;base64,iVBORw0KGgo="),
    );
    assert_eq!(
        body(&r)["messages"][0]["content"],
        json!([
            {"text": "What is in this image?"},
            {"image": {"format": "png", "source": {"bytes": "iVBORw0KGgo="}}},
        ])
    );
    let jpeg =
        request().message(Message::user("x").with_image_url("data:image/jpeg;base64,/9j/4AA="));
    assert_eq!(
        body(&jpeg)["messages"][0]["content"][1]["image"]["format"],
        "jpeg"
    );
}

#[test]
fn image_urls_and_unsupported_images_are_errors() {
    let url = request().message(Message::user("x").with_image_url("https://example.com/cat.png"));
    let message = invalid_message(converse_body(&url));
    assert!(message.starts_with("bedrock:"), "{message}");
    assert!(message.contains("https://example.com/cat.png"), "{message}");
    assert!(message.contains("bytes"), "{message}");

    let bmp = request().message(Message::user("x").with_image_url("data:image/bmp;base64,Qk0="));
    assert!(invalid_message(converse_body(&bmp)).contains("image/bmp"));

    let not_base64 = request().message(Message::user("x").with_image_url("data:image/png,%89PNG"));
    assert!(invalid_message(converse_body(&not_base64)).contains("base64"));

    let garbage = request().message(Message::user("x").with_image_url("data:image/png;base64,@@@"));
    assert!(invalid_message(converse_body(&garbage)).contains("data URL"));
}

#[test]
fn tools_and_tool_choices_map_to_tool_config() {
    let mut r = request().message(Message::user("Weather in Paris?"));
    r.tools = vec![
        weather_tool(),
        Tool::function("get_time", json!({"type": "object"})),
    ];
    let expected_tools = json!([
        {"toolSpec": {
            "name": "get_weather",
            "description": "Current weather of a city",
            "inputSchema": {"json": {"type": "object", "properties": {"location": {"type": "string"}}, "required": ["location"]}},
        }},
        {"toolSpec": {"name": "get_time", "inputSchema": {"json": {"type": "object"}}}},
    ]);
    assert_eq!(body(&r)["toolConfig"], json!({"tools": expected_tools}));

    for (choice, wire) in [
        (ToolChoice::Auto, json!({"auto": {}})),
        (ToolChoice::Required, json!({"any": {}})),
        (
            ToolChoice::Function("get_weather".into()),
            json!({"tool": {"name": "get_weather"}}),
        ),
    ] {
        r.tool_choice = Some(choice);
        assert_eq!(body(&r)["toolConfig"]["toolChoice"], wire);
    }

    // `none` is not declaring the tools (Converse has no `none` choice).
    r.tool_choice = Some(ToolChoice::None);
    assert!(body(&r).get("toolConfig").is_none());

    // A tool without parameters still has the required inputSchema.
    let mut bare = request().message(Message::user("x"));
    bare.tools = vec![Tool {
        name: "ping".into(),
        description: None,
        parameters: None,
        strict: Some(true),
    }];
    assert_eq!(
        body(&bare)["toolConfig"]["tools"][0],
        json!({"toolSpec": {"name": "ping", "inputSchema": {"json": {"type": "object", "properties": {}}}, "strict": true}})
    );
}

fn tool_history() -> ChatRequest {
    let calls = vec![
        ToolCall::from_wire("tooluse_1", "get_weather", r#"{"location": "Paris"}"#),
        ToolCall::from_wire("tooluse_2", "get_weather", r#"{"location": "Rome"}"#),
    ];
    let mut r = request()
        .message(Message::system("Use the tools."))
        .message(Message::user("Weather in Paris and Rome?"))
        .message(Message::assistant_tool_calls("", calls))
        .message(Message::tool("tooluse_1", "18C, sunny"))
        .message(Message::tool("tooluse_2", "{\"temp\": 21}"))
        .message(Message::user("Which is warmer?"));
    r.tools = vec![weather_tool()];
    r
}

#[test]
fn tool_calls_and_results_map_to_tool_use_and_merged_tool_result_blocks() {
    let b = body(&tool_history());
    assert_eq!(
        b["messages"],
        json!([
            {"role": "user", "content": [{"text": "Weather in Paris and Rome?"}]},
            {"role": "assistant", "content": [
                {"toolUse": {"toolUseId": "tooluse_1", "name": "get_weather", "input": {"location": "Paris"}}},
                {"toolUse": {"toolUseId": "tooluse_2", "name": "get_weather", "input": {"location": "Rome"}}},
            ]},
            // Both results and the next user turn are one user message:
            // Converse turns alternate.
            {"role": "user", "content": [
                {"toolResult": {"toolUseId": "tooluse_1", "content": [{"text": "18C, sunny"}]}},
                {"toolResult": {"toolUseId": "tooluse_2", "content": [{"text": "{\"temp\": 21}"}]}},
                {"text": "Which is warmer?"},
            ]},
        ])
    );
    assert_eq!(b["system"], json!([{"text": "Use the tools."}]));
    assert!(b["toolConfig"]["tools"].is_array());
}

#[test]
fn tool_history_needs_declared_tools_and_cannot_say_none() {
    let mut none = tool_history();
    none.tool_choice = Some(ToolChoice::None);
    let message = invalid_message(converse_body(&none));
    assert!(message.contains("none"), "{message}");

    let mut undeclared = tool_history();
    undeclared.tools.clear();
    assert!(invalid_message(converse_body(&undeclared)).contains("add `tools`"));

    let mut choice_without_tools = request().message(Message::user("x"));
    choice_without_tools.tool_choice = Some(ToolChoice::Required);
    assert!(invalid_message(converse_body(&choice_without_tools)).contains("no tools"));

    let mut missing_id = request().message(Message::user("x"));
    missing_id.messages.push(Message {
        tool_call_id: None,
        ..Message::tool("", "result")
    });
    assert!(invalid_message(converse_body(&missing_id)).contains("tool_call_id"));

    let mut bad_arguments = tool_history();
    bad_arguments.messages[2].tool_calls[0] = ToolCall::from_wire("t", "f", "{\"broken");
    assert!(invalid_message(converse_body(&bad_arguments)).contains("not a JSON object"));
}

#[test]
fn options_converse_lacks_are_config_errors_naming_them() {
    let base = request().message(Message::user("x"));
    type Set = fn(&mut ChatRequest);
    let cases: [(&str, Set); 5] = [
        ("top_k", |r| r.sampling.top_k = Some(40)),
        ("repetition_penalty", |r| {
            r.sampling.repetition_penalty = Some(1.1)
        }),
        ("frequency_penalty", |r| {
            r.sampling.frequency_penalty = Some(0.5)
        }),
        ("presence_penalty", |r| {
            r.sampling.presence_penalty = Some(0.5)
        }),
        ("user", |r| r.user = Some("u-1".into())),
    ];
    for (name, set) in cases {
        let mut r = base.clone();
        set(&mut r);
        let message = config_message(converse_body(&r));
        assert!(message.starts_with("bedrock:"), "{message}");
        assert!(message.contains(&format!("`{name}`")), "{name}: {message}");
    }
    let mut nan = base.clone();
    nan.sampling.temperature = Some(f64::NAN);
    assert!(invalid_message(converse_body(&nan)).contains("temperature"));
    assert!(invalid_message(converse_body(&request())).contains("no messages"));
}

#[test]
fn json_schema_goes_to_output_config_as_a_string() {
    let mut r = request().message(Message::user("Extract the person."));
    r.response_format = Some(JsonSchemaFormat {
        name: "person".into(),
        schema: json!({"type": "object", "properties": {"name": {"type": "string"}}, "required": ["name"]}),
    });
    let output = &body(&r)["outputConfig"];
    assert_eq!(output["textFormat"]["type"], "json_schema");
    let definition = &output["textFormat"]["structure"]["jsonSchema"];
    assert_eq!(definition["name"], "person");
    let schema: Value = serde_json::from_str(definition["schema"].as_str().expect("a string"))
        .expect("the schema string is JSON");
    assert_eq!(schema["required"], json!(["name"]));
}

// ---------------------------------------------------------------- answers

/// The text answer of the Converse API reference's response syntax.
fn documented_text_reply() -> Value {
    json!({
        "output": {"message": {"role": "assistant", "content": [{"text": "Hello! How can I help you today?"}]}},
        "stopReason": "end_turn",
        "usage": {"inputTokens": 12, "outputTokens": 9, "totalTokens": 21},
        "metrics": {"latencyMs": 412}
    })
}

/// The tool-use answer of the Bedrock user guide's `top_song` example, with
/// the text block models often put before the call.
fn documented_tool_reply() -> Value {
    json!({
        "output": {"message": {"role": "assistant", "content": [
            {"text": "I'll look up the top song on WZPZ."},
            {"toolUse": {"toolUseId": "tooluse_kZJMlvQmRJ6eAyJE5GIl7Q", "name": "top_song", "input": {"sign": "WZPZ"}}}
        ]}},
        "stopReason": "tool_use",
        "usage": {"inputTokens": 375, "outputTokens": 36, "totalTokens": 411},
        "metrics": {"latencyMs": 1121}
    })
}

#[test]
fn parses_a_text_answer() {
    let c = parse_converse(&documented_text_reply(), MODEL).expect("parses");
    assert_eq!(c.text, "Hello! How can I help you today?");
    assert_eq!(c.model, MODEL);
    assert_eq!(c.stop_reason, Some(StopReason::Stop));
    assert_eq!(
        c.usage,
        Some(Usage {
            prompt_tokens: 12,
            completion_tokens: 9,
            total_tokens: 21
        })
    );
    assert_eq!(c.latency, Duration::from_millis(412));
    assert!(c.tool_calls.is_empty());
    assert!(!c.streamed);
    assert_eq!(c.id, None);
}

#[test]
fn parses_a_tool_use_answer() {
    let c = parse_converse(&documented_tool_reply(), MODEL).expect("parses");
    assert_eq!(c.text, "I'll look up the top song on WZPZ.");
    assert_eq!(c.stop_reason, Some(StopReason::ToolCalls));
    assert_eq!(c.tool_calls.len(), 1);
    let call = &c.tool_calls[0];
    assert_eq!(call.id, "tooluse_kZJMlvQmRJ6eAyJE5GIl7Q");
    assert_eq!(call.name, "top_song");
    assert_eq!(call.arguments, json!({"sign": "WZPZ"}));
    assert_eq!(call.raw_arguments, r#"{"sign":"WZPZ"}"#);
    assert!(call.arguments_error().is_none());
}

#[test]
fn stop_reasons_and_odd_bodies() {
    for (wire, expected) in [
        ("end_turn", StopReason::Stop),
        ("stop_sequence", StopReason::Stop),
        ("tool_use", StopReason::ToolCalls),
        ("max_tokens", StopReason::Length),
        (
            "guardrail_intervened",
            StopReason::Other("guardrail_intervened".into()),
        ),
        (
            "content_filtered",
            StopReason::Other("content_filtered".into()),
        ),
    ] {
        assert_eq!(stop_reason(wire), expected, "{wire}");
    }
    for bad in [
        json!({}),
        json!({"output": {}}),
        json!({"output": {"message": "text"}}),
        json!([1, 2]),
        json!(null),
    ] {
        assert!(
            matches!(parse_converse(&bad, MODEL), Err(Error::Decode { .. })),
            "{bad}"
        );
    }
    // Odd but survivable: no usage, no content, a call without input.
    let c = parse_converse(
        &json!({"output": {"message": {"content": [{"toolUse": {"toolUseId": "t", "name": "f"}}, {"reasoningContent": {}}]}}}),
        MODEL,
    )
    .expect("parses");
    assert_eq!(c.usage, None);
    assert_eq!(c.tool_calls[0].arguments, json!({}));
    assert_eq!(
        error_message(&json!({"message": "Too many requests"})).as_deref(),
        Some("Too many requests")
    );
    assert_eq!(
        error_message(&json!({"Message": "x"})).as_deref(),
        Some("x")
    );
    assert_eq!(error_message(&json!({})), None);
}

// ---------------------------------------------------------------- streams

fn events(list: &[(&str, Value)]) -> Vec<(String, Value)> {
    list.iter()
        .map(|(name, payload)| ((*name).to_owned(), payload.clone()))
        .collect()
}

/// The ConverseStream events of [`documented_tool_reply`], as the user
/// guide shows them (tool input in fragments, `p` padding included).
fn documented_tool_stream() -> Vec<(String, Value)> {
    events(&[
        (
            "messageStart",
            json!({"role": "assistant", "p": "abcdefgh"}),
        ),
        (
            "contentBlockDelta",
            json!({"contentBlockIndex": 0, "delta": {"text": "I'll look up "}, "p": "abcd"}),
        ),
        (
            "contentBlockDelta",
            json!({"contentBlockIndex": 0, "delta": {"text": "the top song on WZPZ."}, "p": "ab"}),
        ),
        ("contentBlockStop", json!({"contentBlockIndex": 0})),
        (
            "contentBlockStart",
            json!({"contentBlockIndex": 1, "start": {"toolUse": {"toolUseId": "tooluse_kZJMlvQmRJ6eAyJE5GIl7Q", "name": "top_song"}}}),
        ),
        (
            "contentBlockDelta",
            json!({"contentBlockIndex": 1, "delta": {"toolUse": {"input": ""}}}),
        ),
        (
            "contentBlockDelta",
            json!({"contentBlockIndex": 1, "delta": {"toolUse": {"input": "{\"sign\": "}}}),
        ),
        (
            "contentBlockDelta",
            json!({"contentBlockIndex": 1, "delta": {"toolUse": {"input": "\"WZPZ\"}"}}}),
        ),
        ("contentBlockStop", json!({"contentBlockIndex": 1})),
        ("messageStop", json!({"stopReason": "tool_use"})),
        (
            "metadata",
            json!({"usage": {"inputTokens": 375, "outputTokens": 36, "totalTokens": 411}, "metrics": {"latencyMs": 1121}, "p": "abcdefghijk"}),
        ),
    ])
}

fn frames(events: &[(String, Value)]) -> Vec<u8> {
    encode_frames(events).expect("events frame")
}

#[test]
fn a_streamed_answer_equals_the_non_streamed_one() {
    let wire = frames(&documented_tool_stream());
    let decoded = decode_frames(&wire).expect("decodes");
    assert_eq!(decoded, documented_tool_stream());

    let streamed = assemble_stream(&decoded, MODEL).expect("assembles");
    assert!(streamed.streamed);
    let mut whole = parse_converse(&documented_tool_reply(), MODEL).expect("parses");
    whole.streamed = true;
    assert_eq!(streamed, whole);
}

#[test]
fn frames_split_anywhere_decode_the_same() {
    let wire = frames(&documented_tool_stream());
    for size in [1, 7, 64, 1000] {
        let mut decoder = FrameDecoder::new();
        let mut decoded = Vec::new();
        for chunk in wire.chunks(size) {
            decoded.extend(decoder.push(chunk).expect("decodes"));
        }
        decoder.finish().expect("ends on a frame boundary");
        assert_eq!(decoded, documented_tool_stream(), "chunk size {size}");
    }
}

#[test]
fn the_assembler_reports_content_for_time_to_first_token() {
    let mut assembler = ConverseStreamAssembler::new(MODEL);
    let carried: Vec<bool> = documented_tool_stream()
        .iter()
        .map(|(name, payload)| assembler.push(name, payload).expect("pushes"))
        .collect();
    assert_eq!(
        carried,
        [
            false, true, true, false, true, true, true, true, false, false, false
        ]
    );
    assert!(assembler.finish().is_ok());
}

#[test]
fn simulated_replies_agree_streamed_and_not() {
    let mut text = Completion::empty(MODEL, Default::default());
    text.text = "Quantum computers use qubits.".into();
    text.stop_reason = Some(StopReason::Stop);
    text.usage = Some(Usage {
        prompt_tokens: 10,
        completion_tokens: 6,
        total_tokens: 16,
    });
    text.latency = Duration::from_millis(250);

    let mut tools = Completion::empty(MODEL, Default::default());
    tools.tool_calls = vec![
        ToolCall::from_wire("tooluse_a", "get_weather", r#"{"location":"Paris"}"#),
        ToolCall::from_wire("tooluse_b", "get_time", "{}"),
    ];
    tools.stop_reason = Some(StopReason::ToolCalls);

    let mut truncated = text.clone();
    truncated.stop_reason = Some(StopReason::Length);

    for completion in [text, tools, truncated] {
        let reply = parse_converse(&sim_converse_reply(&completion), MODEL).expect("parses");
        assert_eq!(reply, completion);
        let wire = frames(&sim_converse_events(&completion));
        let mut streamed =
            assemble_stream(&decode_frames(&wire).expect("decodes"), MODEL).expect("assembles");
        assert!(streamed.streamed);
        streamed.streamed = false;
        assert_eq!(streamed, completion);
    }
}

#[test]
fn padding_can_be_stripped() {
    let mut payload = json!({"contentBlockIndex": 0, "delta": {"text": "p"}, "p": "abcdef"});
    strip_padding(&mut payload);
    assert_eq!(
        payload,
        json!({"contentBlockIndex": 0, "delta": {"text": "p"}})
    );
}

#[test]
fn a_stream_without_message_stop_is_an_error() {
    let mut list = documented_tool_stream();
    list.retain(|(name, _)| name != "messageStop" && name != "metadata");
    match assemble_stream(&list, MODEL) {
        Err(Error::Stream { message }) => {
            assert!(message.contains("messageStop"), "{message}");
            assert!(message.contains("9 event(s)"), "{message}");
        }
        other => panic!("expected a stream error, got {other:?}"),
    }
    assert!(matches!(
        assemble_stream(&[], MODEL),
        Err(Error::Stream { .. })
    ));
}

#[test]
fn truncated_frames_are_errors_not_panics() {
    let wire = frames(&documented_tool_stream());
    let boundaries: Vec<usize> = documented_tool_stream()
        .iter()
        .scan(0, |end, event| {
            *end += frames(std::slice::from_ref(event)).len();
            Some(*end)
        })
        .collect();
    for cut in 0..wire.len() {
        let result = decode_frames(&wire[..cut]);
        if cut == 0 || boundaries.contains(&cut) {
            assert!(result.is_ok(), "cut at a frame boundary {cut}");
        } else {
            match result {
                Err(Error::Stream { message }) => assert!(message.starts_with("bedrock:")),
                other => panic!("cut at {cut}: expected a stream error, got {other:?}"),
            }
        }
    }
}

#[test]
fn garbage_and_corrupt_frames_are_errors_not_panics() {
    let wire = frames(&documented_tool_stream());
    // Every single-byte corruption is caught: the prelude CRC covers the
    // lengths, the message CRC everything else.
    for position in 0..wire.len() {
        let mut bad = wire.clone();
        bad[position] ^= 0x5a;
        assert!(
            decode_frames(&bad).is_err(),
            "corruption at {position} went unnoticed"
        );
    }
    // Pseudo-random garbage of many lengths.
    let mut state = 0x2545_f491_4f6c_dd1d_u64;
    for len in 0..300 {
        let bytes: Vec<u8> = (0..len)
            .map(|_| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                (state >> 24) as u8
            })
            .collect();
        let _ = decode_frames(&bytes);
        let mut decoder = FrameDecoder::new();
        for chunk in bytes.chunks(5) {
            if decoder.push(chunk).is_err() {
                break;
            }
        }
    }
    // A prelude announcing a huge frame never allocates it or hangs.
    let mut huge = vec![0xff, 0xff, 0xff, 0xf0, 0, 0, 0, 0];
    huge.extend_from_slice(&[0; 8]);
    assert!(decode_frames(&huge).is_err());
    // A valid frame whose payload is not JSON.
    let message = aws_smithy_types::event_stream::Message::new(&b"not json"[..]).add_header(
        aws_smithy_types::event_stream::Header::new(
            ":event-type",
            aws_smithy_types::event_stream::HeaderValue::String("messageStart".into()),
        ),
    );
    let mut not_json = Vec::new();
    aws_smithy_eventstream::frame::write_message_to(&message, &mut not_json).expect("frames");
    match decode_frames(&not_json) {
        Err(Error::Stream { message }) => assert!(message.contains("not JSON"), "{message}"),
        other => panic!("expected a stream error, got {other:?}"),
    }
    let mut decoder = FrameDecoder::new();
    assert!(decoder.push(&wire[..20]).is_ok());
    assert!(decoder.finish().is_err());
}

#[test]
fn exception_frames_are_errors_naming_the_exception() {
    let mut list = documented_tool_stream();
    list.truncate(3);
    list.push((
        "throttlingException".into(),
        json!({"message": "Too many tokens, please wait before trying again."}),
    ));
    let wire = frames(&list);
    match decode_frames(&wire) {
        Err(Error::Stream { message }) => {
            assert!(message.contains("throttlingException"), "{message}");
            assert!(message.contains("Too many tokens"), "{message}");
        }
        other => panic!("expected a stream error, got {other:?}"),
    }
    // Frames before the exception were decoded; the decoder then refuses more.
    let mut decoder = FrameDecoder::new();
    assert!(decoder.push(&wire).is_err());
    assert!(decoder.push(&wire).is_err());
    // Replayed as an event, the exception fails assembly the same way.
    assert!(matches!(
        assemble_stream(&list, MODEL),
        Err(Error::Stream { message }) if message.contains("throttlingException")
    ));
}

// ---------------------------------------------------------------- SigV4

/// 2015-08-30T12:36:00Z, the time of AWS's SigV4 test suite.
fn test_suite_time() -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(1_440_938_160)
}

fn test_suite_credentials(token: Option<&str>) -> Credentials {
    Credentials::new(
        "AKIDEXAMPLE",
        "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
        token.map(str::to_owned),
    )
}

fn header<'a>(headers: &'a [AuthHeader], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|h| h.name() == name)
        .map(AuthHeader::value)
}

/// Vectors of AWS's SigV4 test suite (`aws-sig-v4-test-suite`, shipped in
/// the `aws-sigv4` crate as `aws-signing-test-suite/v4/*/header-signed-request.txt`).
#[test]
fn sigv4_matches_the_aws_test_suite() {
    let cases = [
        (
            "GET",
            None,
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31",
        ),
        (
            "POST",
            None,
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b",
        ),
        (
            "GET",
            Some("6e86291e8372ff2a2260956d9b8aae1d763fbf315fa00fa31553b73ebf194267"),
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date;x-amz-security-token, Signature=07ec1639c89043aa0e3e2de82b96708f198cceab042d4a97044c66dd9f74e7f8",
        ),
    ];
    for (method, token, authorization) in cases {
        let parts = RequestParts {
            method,
            url: "https://example.amazonaws.com/",
            headers: &[],
            body: b"",
        };
        let headers = sign_for_service(
            &parts,
            &test_suite_credentials(token),
            "us-east-1",
            "service",
            test_suite_time(),
        )
        .expect("signs");
        assert_eq!(header(&headers, "authorization"), Some(authorization));
        assert_eq!(header(&headers, "x-amz-date"), Some("20150830T123600Z"));
        assert_eq!(header(&headers, "x-amz-security-token"), token);
    }
}

fn hmac_sha256(key: &[u8], data: &str) -> Vec<u8> {
    use hmac::Mac;
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(key).expect("HMAC takes any key");
    mac.update(data.as_bytes());
    mac.finalize().into_bytes().to_vec()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn sha256_hex(data: &[u8]) -> String {
    use sha2::Digest;
    hex(&sha2::Sha256::digest(data))
}

/// A Converse request signed by [`sign`] matches the signature computed
/// here by hand, step by step as the SigV4 specification describes it.
#[test]
fn a_converse_request_signature_matches_one_computed_by_hand() {
    let url = format!(
        "{}{}",
        endpoint_url("us-east-1"),
        converse_path(MODEL, false)
    );
    let body = br#"{"messages":[{"role":"user","content":[{"text":"Hello"}]}]}"#;
    let token = "IQoJb3JpZ2luX2VjEXAMPLETOKEN";
    let credentials = test_suite_credentials(Some(token));
    let parts = RequestParts {
        method: "POST",
        url: &url,
        headers: &[("content-type", "application/json")],
        body,
    };
    let headers = sign(&parts, &credentials, "us-east-1", test_suite_time()).expect("signs");

    // The path is signed percent-encoded a second time (`%3A` -> `%253A`),
    // as the AWS SDKs do for every service but S3.
    let canonical_request = format!(
        "POST\n\
         /model/meta.llama3-3-70b-instruct-v1%253A0/converse\n\
         \n\
         content-type:application/json\n\
         host:bedrock-runtime.us-east-1.amazonaws.com\n\
         x-amz-date:20150830T123600Z\n\
         x-amz-security-token:{token}\n\
         \n\
         content-type;host;x-amz-date;x-amz-security-token\n\
         {}",
        sha256_hex(body)
    );
    let scope = "20150830/us-east-1/bedrock/aws4_request";
    let string_to_sign = format!(
        "AWS4-HMAC-SHA256\n20150830T123600Z\n{scope}\n{}",
        sha256_hex(canonical_request.as_bytes())
    );
    let k_date = hmac_sha256(
        format!("AWS4{}", credentials.secret_access_key).as_bytes(),
        "20150830",
    );
    let k_region = hmac_sha256(&k_date, "us-east-1");
    let k_service = hmac_sha256(&k_region, "bedrock");
    let k_signing = hmac_sha256(&k_service, "aws4_request");
    let signature = hex(&hmac_sha256(&k_signing, &string_to_sign));
    let expected = format!(
        "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/{scope}, \
         SignedHeaders=content-type;host;x-amz-date;x-amz-security-token, Signature={signature}"
    );
    assert_eq!(header(&headers, "authorization"), Some(expected.as_str()));
    assert_eq!(header(&headers, "x-amz-security-token"), Some(token));
    assert_eq!(header(&headers, "x-amz-date"), Some("20150830T123600Z"));

    // Any change to what is signed changes the signature.
    let other_body = RequestParts {
        body: b"{}",
        ..parts
    };
    let resigned = sign(&other_body, &credentials, "us-east-1", test_suite_time()).expect("signs");
    assert_ne!(header(&resigned, "authorization"), Some(expected.as_str()));
}

#[test]
fn signing_a_relative_url_is_an_error_not_a_panic() {
    for url in ["/model/x/converse", "not a url", "file:///tmp/x"] {
        let parts = RequestParts {
            method: "POST",
            url,
            headers: &[],
            body: b"",
        };
        let result = sign(
            &parts,
            &test_suite_credentials(None),
            "us-east-1",
            test_suite_time(),
        );
        assert!(matches!(result, Err(Error::Config(_))), "{url}: {result:?}");
    }
}

#[test]
fn secrets_never_appear_in_debug_output() {
    let secret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
    let token = "IQoJb3JpZ2luX2VjEXAMPLETOKEN";
    let credentials = test_suite_credentials(Some(token));
    let parts = RequestParts {
        method: "POST",
        url: "https://bedrock-runtime.us-east-1.amazonaws.com/model/m/converse",
        headers: &[],
        body: b"{}",
    };
    let headers = sign(&parts, &credentials, "us-east-1", test_suite_time()).expect("signs");
    let signature = header(&headers, "authorization")
        .and_then(|a| a.rsplit("Signature=").next())
        .expect("a signature")
        .to_owned();
    let api_key = Auth::ApiKey("ABSKQmVkcm9ja0FQSUtleS1example".into());
    let api_headers = api_key
        .headers(&parts, "us-east-1", test_suite_time())
        .expect("an API key needs no signing");
    assert_eq!(
        header(&api_headers, "authorization"),
        Some("Bearer ABSKQmVkcm9ja0FQSUtleS1example")
    );
    let debug = format!(
        "{headers:?} {credentials:?} {:?} {api_key:?} {api_headers:?}",
        Auth::SigV4(credentials.clone())
    );
    for leaked in [
        secret,
        token,
        signature.as_str(),
        "ABSKQmVkcm9ja0FQSUtleS1example",
        "AKIDEXAMPLE",
    ] {
        assert!(!debug.contains(leaked), "`{leaked}` in {debug}");
    }
    assert!(debug.contains("x-amz-date") && debug.contains("20150830T123600Z"));
    assert!(headers.iter().filter(|h| h.is_secret()).count() == 2);
}

#[test]
fn signing_logs_no_secret_even_at_trace_level() {
    #[derive(Clone, Default)]
    struct Capture(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);
    impl std::io::Write for Capture {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            if let Ok(mut log) = self.0.lock() {
                log.extend_from_slice(buf);
            }
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let capture = Capture::default();
    let writer = capture.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || writer.clone())
        .finish();
    let token = "IQoJb3JpZ2luX2VjEXAMPLETOKEN";
    let parts = RequestParts {
        method: "POST",
        url: "https://bedrock-runtime.us-east-1.amazonaws.com/model/m/converse",
        headers: &[("content-type", "application/json")],
        body: b"{}",
    };
    tracing::subscriber::with_default(subscriber, || {
        tracing::trace!("the capture works");
        sign(
            &parts,
            &test_suite_credentials(Some(token)),
            "us-east-1",
            test_suite_time(),
        )
        .expect("signs");
    });
    let log = String::from_utf8_lossy(&capture.0.lock().expect("the log")).into_owned();
    assert!(log.contains("the capture works"), "{log}");
    assert!(!log.contains(token), "{log}");
    assert!(!log.contains("EXAMPLEKEY"), "{log}");
}

// ---------------------------------------------------------------- environment

fn lookup(vars: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
    let vars: HashMap<String, String> = vars
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    move |name| vars.get(name).cloned()
}

#[test]
fn auth_comes_from_the_standard_variables() {
    let api_key = lookup(&[
        (AWS_BEARER_TOKEN_BEDROCK, "key-1"),
        (AWS_ACCESS_KEY_ID, "AKIA1"),
        (AWS_SECRET_ACCESS_KEY, "s"),
    ]);
    assert_eq!(
        Auth::from_lookup(&api_key).expect("auth"),
        Auth::ApiKey("key-1".into())
    );

    let sigv4 = lookup(&[
        (AWS_ACCESS_KEY_ID, "AKIA1"),
        (AWS_SECRET_ACCESS_KEY, "s"),
        (AWS_SESSION_TOKEN, "t"),
    ]);
    assert_eq!(
        Auth::from_lookup(&sigv4).expect("auth"),
        Auth::SigV4(Credentials::new("AKIA1", "s", Some("t".into())))
    );

    let message = |vars: &[(&str, &str)]| match Auth::from_lookup(&lookup(vars)) {
        Err(Error::Config(message)) => message,
        other => panic!("expected a config error, got {other:?}"),
    };
    let none = message(&[]);
    for name in [
        AWS_BEARER_TOKEN_BEDROCK,
        AWS_ACCESS_KEY_ID,
        AWS_SECRET_ACCESS_KEY,
    ] {
        assert!(none.contains(name), "{none}");
    }
    assert!(message(&[(AWS_ACCESS_KEY_ID, "AKIA1")]).contains("AWS_SECRET_ACCESS_KEY is not"));
    assert!(message(&[(AWS_SECRET_ACCESS_KEY, "s")]).contains("AWS_ACCESS_KEY_ID is not"));
}

#[test]
fn region_comes_from_aws_region_then_aws_default_region() {
    let both = lookup(&[(AWS_REGION, "eu-west-1"), (AWS_DEFAULT_REGION, "us-east-1")]);
    assert_eq!(region_from_lookup(&both).expect("region"), "eu-west-1");
    let fallback = lookup(&[(AWS_DEFAULT_REGION, "us-west-2")]);
    assert_eq!(region_from_lookup(&fallback).expect("region"), "us-west-2");
    match region_from_lookup(&lookup(&[])) {
        Err(Error::Config(message)) => {
            assert!(message.contains(AWS_REGION) && message.contains(AWS_DEFAULT_REGION));
        }
        other => panic!("expected a config error, got {other:?}"),
    }
}
