use llama_test::{Output, llama_eval};

fn registry() -> llama_test::ToolRegistry {
    llama_test::ToolRegistry::new()
}

#[llama_eval(
    model = "Llama-3.3-70B-Instruct",
    prompt = "Weather in Paris?",
    agent(max_steps = 0, tools = registry, step_limit = 3),
)]
fn agent_without_tools_file(out: Output) {
    let _ = out.text();
}

#[llama_eval(
    model = "Llama-3.3-70B-Instruct",
    prompt = "Weather in Paris?",
    tools = "tests/ui/data/tools.json",
    agent(tools = "tests/ui/data/tools.json"),
)]
fn agent_tools_as_a_string(out: Output) {
    let _ = out.text();
}

#[llama_eval(
    model = "Llama-3.3-70B-Instruct",
    prompt = "Weather in Paris?",
    tools = "tests/ui/data/tools.json",
    agent(tools = registry, then_tool_choice = "get_wether"),
)]
fn then_tool_choice_typo(out: Output) {
    let _ = out.text();
}

#[llama_eval(
    model = "Llama-3.3-70B-Instruct",
    prompt = "Weather in Paris?",
    tools = "tests/ui/data/tools.json",
    agent(max_steps = 3),
)]
fn agent_without_registry(out: Output) {
    let _ = out.text();
}

#[llama_eval(
    model = "Llama-3.3-70B-Instruct",
    prompt = "Weather in Paris?",
    tools = "tests/ui/data/tools.json",
    assert(tool_used = "get_weather", no_repeated_call),
)]
fn trajectory_checks_without_agent(out: Output) {
    let _ = out.text();
}

#[llama_eval(
    model = "Llama-3.3-70B-Instruct",
    prompt = "Weather in Paris?",
    tools = "tests/ui/data/tools.json",
    agent(tools = registry),
    assert(
        tool_used = "get_forecast",
        tool_sequence = [],
        tool_args_match = "get_weather",
        tool_args_match(name = "get_weather"),
        max_steps = -1,
        not_max_steps = 3,
    ),
)]
fn bad_trajectory_checks(out: Output) {
    let _ = out.text();
}

fn main() {}
