//! Seed: "Streaming — enable real-time response streaming".
//!
//! ```yaml
//! providers:
//!   - id: llamaapi:Llama-3.3-8B-Instruct
//!     config:
//!       stream: true
//!       temperature: 0.7
//! prompts: ['Write a short story about {{topic}}']
//! tests:
//!   - vars: { topic: 'time travel' }
//!     assert:
//!       - type: contains
//!         value: 'time'
//! ```
//!
//! The answer is streamed over SSE (`Accept: text/event-stream`), assembled,
//! and checked like any other; the recording keeps the individual events.

use llama_test::prelude::*;

#[llama_eval(
    model = "llamaapi:Llama-3.3-8B-Instruct",
    stream = true,
    temperature = 0.7,
    prompt = "Write a short story about {{topic}}",
    case(name = "time_travel", topic = "time travel"),
    assert(contains = "time")
)]
fn short_story(out: Output) {
    assert!(out.completion().streamed);
    assert!(out.time_to_first_token().is_some());
    assert_output_snapshot!(out);
}

/// Streaming on the OpenAI-compatible endpoint, with a tool call.
#[llama_eval(
    model = "Llama-3.3-70B-Instruct",
    endpoint = "compat",
    stream = true,
    tools = "tests/data/get_weather.json",
    prompt = "What's the weather like in Boston, MA?"
)]
fn streamed_tool_call(out: Output) {
    let call = out.assert_function_call("get_weather");
    assert_eq!(call.arguments["location"], "Boston, MA");
}
