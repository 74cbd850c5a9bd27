use llama_test::llama_eval;

#[llama_eval(model = "Llama-3.3-70B-Instruct", prompt = "Hi", top_p = 0.9)]
fn top_p(out: llama_test::Output) {
    let _ = out.text();
}

fn main() {}
