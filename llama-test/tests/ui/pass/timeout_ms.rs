use llama_test::llama_eval;

#[llama_eval(model = "Llama-3.3-70B-Instruct", prompt = "Hi", timeout_ms = 30000)]
fn timeout_ms(out: llama_test::Output) {
    let _ = out.text();
}

fn main() {}
