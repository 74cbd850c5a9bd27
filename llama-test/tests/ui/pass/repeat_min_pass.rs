use llama_test::llama_eval;

#[llama_eval(model = "Llama-3.3-70B-Instruct", prompt = "Hi", repeat = 5, min_pass = 0.8)]
fn repeat_min_pass(out: llama_test::Output) {
    let _ = out.text();
}

fn main() {}
