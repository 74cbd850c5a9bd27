use llama_test::llama_eval;

#[llama_eval(model = "Llama-3.3-70B-Instruct", prompt = "Hi", endpoint = "native")]
fn endpoint(out: llama_test::Output) {
    let _ = out.text();
}

fn main() {}
