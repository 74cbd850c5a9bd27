use llama_test::llama_eval;

#[llama_eval(model = "Llama-3.3-70B-Instruct", prompt = "Weather in Paris?", tools = "tests/ui/data/tools.json", tool_choice = "get_weather")]
fn tool_choice(out: llama_test::Output) {
    let _ = out.text();
}

fn main() {}
