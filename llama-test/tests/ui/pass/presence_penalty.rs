use llama_test::llama_eval;

#[llama_eval(model = "Llama-3.3-70B-Instruct", prompt = "Hi", endpoint = "compat", presence_penalty = -0.5)]
fn presence_penalty(out: llama_test::Output) {
    let _ = out.text();
}

fn main() {}
