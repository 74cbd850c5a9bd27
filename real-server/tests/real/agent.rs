//! An agent loop against llama-server: the first turn is forced into a
//! `get_weather` call (`tool_choice = "required"` plus the `logit_bias`
//! nudge of [`crate::tools`]), the Rust implementation's result goes back,
//! and `then_tool_choice = "none"` makes the second turn an answer: with the
//! nudge still in the body and `tool_choice` back to auto, llama.cpp would
//! reject the nudged model's malformed call with a 500. Recorded from the
//! server and replayed offline like the rest of the suite.

use llama_test::prelude::*;
use serde_json::{Value, json};

/// The random-weights model writes random arguments; whatever it sends
/// that fits the schema gets an answer, and a schema violation is sent
/// back as an error result before this runs.
async fn get_weather(args: Value) -> Result<Value, String> {
    let location = args["location"].as_str().unwrap_or("somewhere");
    Ok(json!({"location": location, "temperature": 21, "unit": "celsius"}))
}

fn weather_tools() -> ToolRegistry {
    ToolRegistry::new().tool("get_weather", get_weather)
}

#[llama_eval(
    model = "llamacpp:tiny",
    tools = "tests/data/get_weather.json",
    tool_choice = "required",
    extra_body = r#"{"logit_bias": [[5018, 20]]}"#,
    prompt = "What is the weather like in Paris?",
    temperature = 0,
    max_tokens = 64,
    agent(max_steps = 3, tools = weather_tools, then_tool_choice = "none"),
    assert(
        tool_used = "get_weather",
        max_steps = 1,
        no_repeated_call,
        no_tool_call
    )
)]
fn two_step_weather_loop(out: Output) {
    let Some(t) = out.trajectory() else {
        panic!("an agent eval's output has a trajectory")
    };
    assert_eq!(t.turns, 2, "{}", t.describe());
    assert_eq!(t.steps.len(), 1, "{}", t.describe());
    assert_eq!(t.steps[0].turn, 0);
    // The second request carried the call's result under its id, and
    // `then_tool_choice` replaced the first turn's `required`.
    let sent = out.request();
    let result = sent.messages.last().map(|m| m.tool_call_id.as_deref());
    assert_eq!(result, Some(Some(t.steps[0].id.as_str())));
    assert_eq!(sent.tool_choice, Some(ToolChoice::None));
    assert!(!out.text().is_empty(), "the second turn answered in text");
}
