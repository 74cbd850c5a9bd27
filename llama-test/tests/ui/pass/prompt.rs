use llama_test::llama_eval;

#[llama_eval(model = "Llama-3.3-70B-Instruct", prompt = "Explain quantum computing in simple terms")]
fn prompt(out: llama_test::Output) {
    let _ = out.text();
}

fn main() {}
