use llama_test::llama_eval;

#[llama_eval(model = "Llama-3.3-8B-Instruct", prompt = "Write a short story about time travel", stream = true, temperature = 0.7)]
fn stream(out: llama_test::Output) {
    let _ = out.text();
}

fn main() {}
