use llama_test::llama_eval;

#[llama_eval(
    model = "Llama-3.3-70B-Instruct",
    prompt = "Weather in Paris?",
    tools = "tests/ui/data/no_such_tools.json"
)]
fn missing_file(out: llama_test::Output) {
    let _ = out.text();
}

fn main() {}
