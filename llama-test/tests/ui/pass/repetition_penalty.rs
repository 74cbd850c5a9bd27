use llama_test::llama_eval;

#[llama_eval(model = "Llama-3.3-70B-Instruct", prompt = "Hi", repetition_penalty = 1.1)]
fn repetition_penalty(out: llama_test::Output) {
    let _ = out.text();
}

fn main() {}
