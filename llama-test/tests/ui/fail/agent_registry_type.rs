use llama_test::llama_eval;

// Also reported by `cargo build`, outside the generated `#[test]`.

fn not_a_registry() -> u32 {
    7
}

#[llama_eval(
    model = "Llama-3.3-70B-Instruct",
    prompt = "Weather in Paris?",
    tools = "tests/ui/data/tools.json",
    agent(tools = not_a_registry),
)]
fn registry_of_the_wrong_type(out: llama_test::Output) {
    let _ = out.text();
}

fn main() {}
