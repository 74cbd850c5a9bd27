use llama_test::llama_eval;

#[llama_eval]
fn nothing_declared(out: llama_test::Output) {
    let _ = out.text();
}

#[llama_eval(
    model = "Llama-3.3-70B-Instruct",
    models = ["Llama-3.3-8B-Instruct"],
    prompt = "Hi",
    prompt = "Hello"
)]
fn model_and_models(out: llama_test::Output) {
    let _ = out.text();
}

fn main() {}
