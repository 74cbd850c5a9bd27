use llama_test::{Output, ToolRegistry, llama_eval};

mod tools {
    pub fn registry() -> llama_test::ToolRegistry {
        llama_test::ToolRegistry::new().tool("get_weather", |args| async move {
            Ok(serde_json::json!({"location": args["location"], "temperature": 21}))
        })
    }
}

fn local_registry() -> ToolRegistry {
    tools::registry()
}

#[llama_eval(
    model = "Llama-3.3-70B-Instruct",
    prompt = "Weather in {{city}}?",
    tools = "tests/ui/data/tools.json",
    tool_choice = "required",
    case(city = "Paris"),
    agent(max_steps = 6, tools = crate::tools::registry, then_tool_choice = "none"),
    assert(
        tool_used = "get_weather",
        not_tool_used(value = "get_weather", weight = 0),
        tool_sequence = ["get_weather"],
        tool_sequence(value = ["get_weather"], exact = false),
        tool_args_match(name = "get_weather", arguments = r#"{"location": "{{city}}"}"#),
        max_steps = 4,
        tool_call_f1 = ["get_weather"],
        tool_call_f1(value = ["get_weather"], threshold = 0.5, weight = 2),
        no_repeated_call,
        contains = "21",
    ),
)]
async fn agent_with_checks(out: Output) {
    let _ = out.trajectory().map(|t| t.steps.len());
}

#[llama_eval(
    model = "Llama-3.3-70B-Instruct",
    prompt = "Weather in Paris?",
    tools = "tests/ui/data/tools.json",
    agent(tools = local_registry)
)]
fn agent_defaults(out: &Output) {
    let _ = out.text();
}

fn main() {}
