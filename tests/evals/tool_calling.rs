//! Seed: "Tool Calling — enable models to call external functions".
//!
//! ```yaml
//! providers:
//!   - id: llamaapi:Llama-3.3-70B-Instruct
//!     config:
//!       tools: [{type: function, function: {name: get_weather, ...}}]
//! prompts: ["What's the weather like in {{city}}?"]
//! tests:
//!   - vars: { city: 'New York, NY' }
//!     assert:
//!       - type: function-call
//!         value: get_weather
//!       - type: javascript
//!         value: "output.arguments.location.includes('New York')"
//! ```
//!
//! `function_call` checks that `get_weather` was called with arguments that
//! are valid JSON and valid against its `parameters` schema. The location
//! check reads the parsed arguments.

use llama_test::prelude::*;

#[llama_eval(
    model = "llamaapi:Llama-3.3-70B-Instruct",
    tools = "tests/data/get_weather.json",
    prompt = "What's the weather like in {{city}}?",
    case(name = "nyc", city = "New York, NY"),
    assert(function_call = "get_weather")
)]
fn get_weather(out: Output) {
    let call = out.assert_function_call("get_weather");
    let location = call.arguments["location"].as_str().unwrap_or_default();
    assert!(location.contains("New York"), "location was {location:?}");
    assert_output_snapshot!(out);
}

/// Multi-turn: send the tool's result back and check the final answer.
#[llama_eval(
    model = "llamaapi:Llama-3.3-70B-Instruct",
    tools = "tests/data/get_weather.json",
    prompt = "What's the weather like in {{city}}?",
    case(name = "nyc", city = "New York, NY")
)]
async fn answers_from_the_tool_result(out: Output) {
    let call = out.assert_function_call("get_weather");
    let answer = out
        .follow_up()
        .tool_result(
            &call.id,
            r#"{"temperature": 21, "unit": "celsius", "conditions": "sunny"}"#,
        )
        .run()
        .await;
    answer.assert_no_tool_call();
    answer.assert_contains("21");
}

/// `tool_choice = "none"` keeps the model from calling tools.
#[llama_eval(
    model = "Llama-3.3-70B-Instruct",
    tools = "tests/data/get_weather.json",
    tool_choice = "none",
    prompt = "What's the weather like in Paris?",
    assert(no_tool_call)
)]
fn no_tool_when_choice_is_none(out: Output) {
    assert!(!out.text().is_empty());
}
