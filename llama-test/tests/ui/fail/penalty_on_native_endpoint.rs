use llama_test::llama_eval;

#[llama_eval(
    model = "Llama-3.3-70B-Instruct",
    prompt = "Hi",
    frequency_penalty = 0.5,
    presence_penalty = 0.5
)]
fn penalty_on_native_endpoint(out: llama_test::Output) {
    let _ = out.text();
}

fn main() {}
