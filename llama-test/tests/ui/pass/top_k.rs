use llama_test::llama_eval;

#[llama_eval(model = "Llama-3.3-70B-Instruct", prompt = "Hi", top_k = 40)]
fn top_k(out: llama_test::Output) {
    let _ = out.text();
}

fn main() {}
