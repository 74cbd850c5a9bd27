use llama_test::llama_eval;

#[llama_eval(model = "my-org/finetuned-llama", allow_unlisted_model = true, prompt = "Hi")]
fn allow_unlisted_model(out: llama_test::Output) {
    let _ = out.text();
}

fn main() {}
