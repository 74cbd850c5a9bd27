use llama_test::llama_eval;

#[llama_eval(model = "Llama-3.3-70B-Instruct", prompt = "Hi")]
fn takes_a_string(out: String) {
    let _ = out;
}

#[llama_eval(model = "Llama-3.3-70B-Instruct", prompt = "Hi")]
fn returns_a_value(out: llama_test::Output) -> usize {
    out.text().len()
}

#[llama_eval(model = "Llama-3.3-70B-Instruct", prompt = "Hi")]
struct NotAFunction;

fn main() {}
