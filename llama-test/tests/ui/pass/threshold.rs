use llama_test::llama_eval;

#[llama_eval(model = "Llama-3.3-70B-Instruct", prompt = "Hi", assert(contains = "a", contains = "b"), threshold = 0.5)]
fn threshold(out: llama_test::Output) {
    let _ = out.text();
}

fn main() {}
