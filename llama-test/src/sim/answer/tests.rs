use serde_json::{Value, json};

use super::*;
use crate::sim::reply::ReplyKind;

fn call(body: Value) -> ChatCall {
    ChatCall {
        endpoint: Endpoint::Native,
        model: body["model"]
            .as_str()
            .unwrap_or("Llama-3.3-70B-Instruct")
            .to_owned(),
        stream: false,
        body,
    }
}

fn text_of(reply: &Reply) -> &str {
    match &reply.kind {
        ReplyKind::Text(text) => text,
        other => panic!("expected text, got {other:?}"),
    }
}

fn weather_tool() -> Value {
    json!([{"type": "function", "function": {
        "name": "get_weather",
        "description": "Get current weather for a location",
        "parameters": {"type": "object", "properties": {
            "location": {"type": "string"},
            "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]}
        }, "required": ["location"]}
    }}])
}

#[test]
fn echo_mentions_the_prompt_words() {
    let reply = default_reply(&call(json!({
        "model": "Llama-3.3-70B-Instruct",
        "messages": [{"role": "user", "content": "Explain quantum computing in simple terms"}]
    })));
    assert!(text_of(&reply).contains("quantum"));
    assert_eq!(reply.stop_reason, None);
}

#[test]
fn images_are_acknowledged() {
    let reply = default_reply(&call(json!({"messages": [{"role": "user", "content": [
        {"type": "text", "text": "What do you see?"},
        {"type": "image_url", "image_url": {"url": "https://example.com/a.jpg"}},
        {"type": "image_url", "image_url": {"url": "https://example.com/b.jpg"}}
    ]}]})));
    assert!(text_of(&reply).starts_with("I see 2 images."), "{reply:?}");
}

#[test]
fn max_tokens_truncates_with_length() {
    let reply = default_reply(&call(json!({
        "max_completion_tokens": 3,
        "messages": [{"role": "user", "content": "Write a long story about dragons and castles"}]
    })));
    assert_eq!(text_of(&reply).chars().count(), 12);
    assert_eq!(reply.stop_reason.as_deref(), Some("length"));
}

#[test]
fn weather_prompt_calls_the_weather_tool_with_the_city() {
    let reply = default_reply(&call(json!({
        "messages": [{"role": "user", "content": "What's the weather like in New York, NY?"}],
        "tools": weather_tool()
    })));
    let ReplyKind::ToolCalls(calls) = &reply.kind else {
        panic!("{reply:?}")
    };
    assert_eq!(calls[0].0, "get_weather");
    let args: Value = serde_json::from_str(&calls[0].1).unwrap();
    assert_eq!(args, json!({"location": "New York, NY"}));
}

#[test]
fn unrelated_prompt_or_tool_choice_none_answers_in_text() {
    let unrelated = default_reply(&call(json!({
        "messages": [{"role": "user", "content": "Tell me a joke"}],
        "tools": weather_tool()
    })));
    assert!(matches!(unrelated.kind, ReplyKind::Text(_)));
    let none = default_reply(&call(json!({
        "messages": [{"role": "user", "content": "Weather in Paris?"}],
        "tools": weather_tool(), "tool_choice": "none"
    })));
    assert!(matches!(none.kind, ReplyKind::Text(_)));
    let required = default_reply(&call(json!({
        "messages": [{"role": "user", "content": "Tell me a joke"}],
        "tools": weather_tool(), "tool_choice": "required"
    })));
    assert!(matches!(required.kind, ReplyKind::ToolCalls(_)));
}

#[test]
fn tool_result_is_quoted_in_the_answer() {
    let reply = default_reply(&call(json!({
        "messages": [
            {"role": "user", "content": "Is it raining in Bellevue?"},
            {"role": "assistant", "content": {"type": "text", "text": ""}, "stop_reason": "tool_calls",
             "tool_calls": [{"id": "c1", "function": {"name": "get_weather", "arguments": "{\"location\":\"Bellevue\"}"}}]},
            {"role": "tool", "tool_call_id": "c1", "content": "The weather in Bellevue is sunny."}
        ],
        "tools": weather_tool()
    })));
    assert_eq!(
        text_of(&reply),
        "Based on the get_weather result: The weather in Bellevue is sunny."
    );
}

#[test]
fn after_a_result_the_next_named_tool_is_called_then_the_answer() {
    let tools = json!([
        {"type": "function", "function": {"name": "search_hotels", "parameters": {
            "type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}},
        {"type": "function", "function": {"name": "book_hotel", "parameters": {
            "type": "object", "properties": {"hotel_id": {"type": "string", "enum": ["h1"]}},
            "required": ["hotel_id"]}}}
    ]);
    let user = json!({"role": "user", "content": "Find a hotel in Rome and book it"});
    let turn = |name: &str, id: &str| {
        [
            json!({"role": "assistant", "content": "", "tool_calls": [
                {"id": id, "function": {"name": name, "arguments": "{}"}}]}),
            json!({"role": "tool", "tool_call_id": id, "content": "{\"ok\": true}"}),
        ]
    };
    let first = default_reply(&call(json!({"messages": [user], "tools": tools})));
    assert!(
        matches!(&first.kind, ReplyKind::ToolCalls(c) if c[0].0 == "search_hotels"),
        "{first:?}"
    );
    let [a, r] = turn("search_hotels", "c1");
    let second = default_reply(&call(json!({"messages": [user, a, r], "tools": tools})));
    assert!(
        matches!(&second.kind, ReplyKind::ToolCalls(c) if c[0].0 == "book_hotel" && c[0].1.contains("h1")),
        "{second:?}"
    );
    let [b, r2] = turn("book_hotel", "c2");
    let third = default_reply(&call(
        json!({"messages": [user, a, r, b, r2], "tools": tools}),
    ));
    assert_eq!(
        text_of(&third),
        "Based on the book_hotel result: {\"ok\": true}"
    );
}

#[test]
fn json_schema_answer_validates() {
    let schema = json!({"type": "object", "properties": {"street": {"type": "string"}}, "required": ["street"]});
    let reply = default_reply(&call(json!({
        "messages": [{"role": "user", "content": "123 Main St, Anytown, USA"}],
        "response_format": {"type": "json_schema", "json_schema": {"name": "Address", "schema": schema}}
    })));
    let value: Value = serde_json::from_str(text_of(&reply)).unwrap();
    assert!(jsonschema::is_valid(&schema, &value), "{value}");
}

#[test]
fn unsatisfiable_schema_is_a_fault_that_says_how_to_script() {
    let reply = default_reply(&call(json!({
        "messages": [{"role": "user", "content": "x"}],
        "response_format": {"type": "json_schema", "json_schema": {"name": "n", "schema":
            {"type": "string", "pattern": "^zz[0-9]{3}q$"}}}
    })));
    let ReplyKind::Fault(fault) = &reply.kind else {
        panic!("{reply:?}")
    };
    assert_eq!(fault.status, 500);
    assert!(
        fault.body.as_ref().unwrap()["detail"]
            .as_str()
            .unwrap()
            .contains("reply_with")
    );
}

#[test]
fn rubric_prompts_get_a_passing_verdict() {
    let reply = default_reply(&call(json!({"messages": [
        {"role": "system", "content": "You are grading output according to a user-specified rubric."},
        {"role": "user", "content": "<Output>\nhi\n</Output>\n<Rubric>\nIs friendly\n</Rubric>"}
    ]})));
    let verdict: Value = serde_json::from_str(text_of(&reply)).unwrap();
    assert_eq!(verdict["pass"], json!(true));
}

#[test]
fn names_split_into_words() {
    assert_eq!(split_name("get_weather"), ["get", "weather"]);
    assert_eq!(split_name("searchFlights"), ["search", "flights"]);
    let none = json!({});
    assert!(asks_for("book me a flight", "searchFlights", &none));
    assert!(!asks_for("get me something", "get_weather", &none));
    let place = json!({"properties": {"location": {"type": "string"}}});
    assert!(asks_for(
        "Is it raining in Bellevue?",
        "get_weather",
        &place
    ));
    assert!(!asks_for("Is it raining?", "get_weather", &place));
}
