use llama_test::llama_eval;

#[llama_eval(model = "Llama-3.3-70B-Instruct", prompt = "Hi", min_pass = 0.8)]
fn no_repeat(out: llama_test::Output) {
    let _ = out.text();
}

#[llama_eval(model = "Llama-3.3-70B-Instruct", prompt = "Hi", repeat = 1, min_pass = 0.8)]
fn one_sample(out: llama_test::Output) {
    let _ = out.text();
}

fn main() {}
