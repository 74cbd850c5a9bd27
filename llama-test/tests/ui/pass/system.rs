use llama_test::llama_eval;

#[llama_eval(model = "Llama-3.3-70B-Instruct", system = "You are terse.", prompt = "Hi")]
fn system(out: llama_test::Output) {
    let _ = out.text();
}

fn main() {}
