use llama_test::llama_eval;

#[llama_eval(model = "openruoter:meta-llama/llama-3.3-70b-instruct", prompt = "Hi")]
fn misspelled_provider(out: llama_test::Output) {
    let _ = out.text();
}

#[llama_eval(model = "Llama-3.3-70B-Instruct", grader = "lab:judge", prompt = "Hi")]
fn undeclared_provider(out: llama_test::Output) {
    let _ = out.text();
}

fn main() {}
