use llama_test::llama_eval;

#[llama_eval(
    model = "Llama-3.3-70B-Instruct",
    prompt = "Weather in Paris?",
    frequency_penalty = 0.5,
    tools = "tests/ui/data/tools.json",
    tool_choice = "get_wether",
    endpoint = "compatible",
    record = "replay_only",
    assert(function_call = "get_forecast", contians = "Paris"),
)]
fn endpoint_and_tools(out: llama_test::Output) {
    let _ = out.text();
}

fn main() {}
