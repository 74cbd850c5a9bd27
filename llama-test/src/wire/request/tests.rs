//! Request bodies against the literal bodies of Meta's SDK examples
//! (reference/llama-api-wire.md §2).

use serde_json::{Value, json};

use super::request_body;
use crate::completion::ToolCall;
use crate::error::Error;
use crate::request::{ChatRequest, Endpoint, JsonSchemaFormat, Message, Tool, ToolChoice};

const MAVERICK: &str = "Llama-4-Maverick-17B-128E-Instruct-FP8";

/// Numbers compared by value (`1` and `1.0` are the same on the wire).
fn numbers_as_floats(v: Value) -> Value {
    match v {
        Value::Number(n) => json!(n.as_f64().unwrap()),
        Value::Array(a) => Value::Array(a.into_iter().map(numbers_as_floats).collect()),
        Value::Object(o) => Value::Object(
            o.into_iter()
                .map(|(k, v)| (k, numbers_as_floats(v)))
                .collect(),
        ),
        other => other,
    }
}

fn weather_tool() -> Tool {
    Tool {
        strict: Some(true),
        ..Tool::function(
            "get_weather",
            json!({"type":"object","properties":{"location":{"type":"string","description":"City and country e.g. Bogotá, Colombia"}},
                   "required":["location"],"additionalProperties":false}),
        )
        .description("Get current weather for a given location.")
    }
}

#[test]
fn tool_call_follow_up_matches_the_sdk_body() {
    let mut request = ChatRequest::new(MAVERICK)
        .message(Message::user("Is it raining in Bellevue?"))
        .message(Message::assistant_tool_calls(
            "",
            vec![ToolCall::from_wire(
                "<id>",
                "get_weather",
                "{\"location\": \"Bellevue\"}",
            )],
        ))
        .message(Message::tool("<id>", "The weather in Bellevue is sunny."));
    request.sampling.max_tokens = Some(2048);
    request.sampling.temperature = Some(0.6);
    request.tools = vec![weather_tool()];
    let expected: Value = serde_json::from_str(
        r#"{"model":"Llama-4-Maverick-17B-128E-Instruct-FP8","max_completion_tokens":2048,"temperature":0.6,
 "messages":[
  {"role":"user","content":"Is it raining in Bellevue?"},
  {"role":"assistant","content":{"type":"text","text":""},"stop_reason":"tool_calls",
   "tool_calls":[{"id":"<id>","function":{"name":"get_weather","arguments":"{\"location\": \"Bellevue\"}"}}]},
  {"role":"tool","tool_call_id":"<id>","content":"The weather in Bellevue is sunny."}],
 "tools":[{"type":"function","function":{"name":"get_weather","description":"Get current weather for a given location.",
   "parameters":{"type":"object","properties":{"location":{"type":"string","description":"City and country e.g. Bogotá, Colombia"}},
   "required":["location"],"additionalProperties":false},"strict":true}}]}"#,
    )
    .unwrap();
    assert_eq!(request_body(&request).unwrap(), expected);
}

#[test]
fn vision_request_sends_text_and_image_parts() {
    let request = ChatRequest::new(MAVERICK).message(
        Message::user("What is different about these two images?")
            .with_image_url("data:image/png;base64,iVBOR..."),
    );
    let expected: Value = serde_json::from_str(
        r#"{"model":"Llama-4-Maverick-17B-128E-Instruct-FP8","messages":[{"role":"user","content":[{"type":"text","text":"What is different about these two images?"},{"type":"image_url","image_url":{"url":"data:image/png;base64,iVBOR..."}}]}]}"#,
    )
    .unwrap();
    assert_eq!(request_body(&request).unwrap(), expected);
}

#[test]
fn structured_output_request_matches_the_sdk_body() {
    let schema = json!({"type":"object","title":"Address","properties":{"street":{"title":"Street","type":"string"}},"required":["street"]});
    let mut request = ChatRequest::new(MAVERICK)
        .message(Message::system(
            "You are a helpful assistant. Summarize the address in a JSON object.",
        ))
        .message(Message::user("123 Main St, Anytown, USA"));
    request.sampling.temperature = Some(0.1);
    request.response_format = Some(JsonSchemaFormat {
        name: "Address".into(),
        schema,
    });
    let expected: Value = serde_json::from_str(
        r#"{"model":"Llama-4-Maverick-17B-128E-Instruct-FP8","temperature":0.1,
 "messages":[{"role":"system","content":"You are a helpful assistant. Summarize the address in a JSON object."},{"role":"user","content":"123 Main St, Anytown, USA"}],
 "response_format":{"type":"json_schema","json_schema":{"name":"Address","schema":{"type":"object","title":"Address","properties":{"street":{"title":"Street","type":"string"}},"required":["street"]}}}}"#,
    )
    .unwrap();
    assert_eq!(request_body(&request).unwrap(), expected);
}

#[test]
fn all_native_params_match_the_sdk_test_body() {
    let mut request = ChatRequest::new("model").message(Message::user("string"));
    request.sampling.max_tokens = Some(1);
    request.sampling.repetition_penalty = Some(1.0);
    request.sampling.temperature = Some(0.0);
    request.sampling.top_k = Some(0);
    request.sampling.top_p = Some(0.0);
    request.tool_choice = Some(ToolChoice::None);
    request.tools = vec![Tool {
        strict: Some(true),
        ..Tool::function("name", json!({"foo":"bar"})).description("description")
    }];
    request.response_format = Some(JsonSchemaFormat {
        name: "name".into(),
        schema: json!({}),
    });
    request.user = Some("user".into());
    // The SDK test also sends `"stream":false`; we omit unset/default fields.
    let expected: Value = serde_json::from_str(
        r#"{"messages":[{"content":"string","role":"user"}],"model":"model","max_completion_tokens":1,"repetition_penalty":1,"response_format":{"json_schema":{"name":"name","schema":{}},"type":"json_schema"},"temperature":0,"tool_choice":"none","tools":[{"function":{"name":"name","description":"description","parameters":{"foo":"bar"},"strict":true},"type":"function"}],"top_k":0,"top_p":0,"user":"user"}"#,
    )
    .unwrap();
    let body = request_body(&request).unwrap();
    assert!(body.get("max_tokens").is_none());
    assert_eq!(numbers_as_floats(body), numbers_as_floats(expected));
}

#[test]
fn native_refuses_openai_penalties_and_names_compat() {
    let mut request = ChatRequest::new(MAVERICK).message(Message::user("hi"));
    request.sampling.frequency_penalty = Some(0.5);
    let err = request_body(&request).unwrap_err();
    assert!(matches!(err, Error::InvalidRequest(_)));
    let text = err.to_string();
    assert!(text.contains("`frequency_penalty`"), "{text}");
    assert!(text.contains("endpoint = \"compat\""), "{text}");
    request.sampling.frequency_penalty = None;
    request.sampling.presence_penalty = Some(0.1);
    assert!(
        request_body(&request)
            .unwrap_err()
            .to_string()
            .contains("`presence_penalty`")
    );
}

#[test]
fn compat_uses_openai_names_and_refuses_native_only_options() {
    let calls = vec![ToolCall::from_wire("c1", "get_weather", "{\"a\":1}")];
    let mut request = ChatRequest::new(MAVERICK)
        .message(Message::user("hi"))
        .message(Message::assistant_tool_calls("", calls))
        .message(Message::tool("c1", "sunny"));
    request.endpoint = Endpoint::Compat;
    request.stream = true;
    request.sampling.max_tokens = Some(64);
    request.sampling.frequency_penalty = Some(0.5);
    request.sampling.presence_penalty = Some(0.25);
    request.tool_choice = Some(ToolChoice::Function("get_weather".into()));
    let body = request_body(&request).unwrap();
    let expected = json!({
        "model": MAVERICK,
        "messages": [
            {"role":"user","content":"hi"},
            {"role":"assistant","content":"","tool_calls":[{"id":"c1","type":"function","function":{"name":"get_weather","arguments":"{\"a\":1}"}}]},
            {"role":"tool","tool_call_id":"c1","content":"sunny"}
        ],
        "max_tokens": 64,
        "frequency_penalty": 0.5,
        "presence_penalty": 0.25,
        "stream": true,
        "tool_choice": {"type":"function","function":{"name":"get_weather"}}
    });
    assert_eq!(body, expected);

    request.sampling.top_k = Some(40);
    let text = request_body(&request).unwrap_err().to_string();
    assert!(
        text.contains("`top_k`") && text.contains("endpoint = \"native\""),
        "{text}"
    );
    request.sampling.top_k = None;
    request.sampling.repetition_penalty = Some(1.1);
    let text = request_body(&request).unwrap_err().to_string();
    assert!(text.contains("`repetition_penalty`"), "{text}");
}

#[test]
fn bodies_are_deterministic_and_omit_unset_fields() {
    let request = ChatRequest::new(MAVERICK).message(Message::user("hi"));
    let a = serde_json::to_string(&request_body(&request).unwrap()).unwrap();
    let b = serde_json::to_string(&request_body(&request).unwrap()).unwrap();
    assert_eq!(a, b);
    assert_eq!(
        request_body(&request).unwrap(),
        json!({"model": MAVERICK, "messages": [{"role":"user","content":"hi"}]})
    );
}

#[test]
fn misplaced_images_and_missing_ids_are_refused() {
    let request =
        ChatRequest::new(MAVERICK).message(Message::system("x").with_image_url("https://a/b.png"));
    assert!(
        request_body(&request)
            .unwrap_err()
            .to_string()
            .contains("only user messages may contain images")
    );
    let mut tool = Message::tool("id", "result");
    tool.tool_call_id = None;
    let request = ChatRequest::new(MAVERICK).message(tool);
    assert!(
        request_body(&request)
            .unwrap_err()
            .to_string()
            .contains("tool_call_id")
    );
    assert!(request_body(&ChatRequest::new(MAVERICK)).is_err());
    let mut request = ChatRequest::new(MAVERICK).message(Message::user("hi"));
    request.sampling.temperature = Some(f64::NAN);
    assert!(
        request_body(&request)
            .unwrap_err()
            .to_string()
            .contains("`temperature` must be a finite number")
    );
}
