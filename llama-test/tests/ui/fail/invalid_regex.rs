use llama_test::llama_eval;

#[llama_eval(
    model = "Llama-3.3-70B-Instruct",
    prompt = "Give me a number",
    assert(regex = "(\\d+", not_regex = "[z-a]")
)]
fn invalid_regex(out: llama_test::Output) {
    let _ = out.text();
}

fn main() {}
