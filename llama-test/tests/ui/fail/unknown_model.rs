use llama_test::llama_eval;

#[llama_eval(model = "Llama-3.3-70B", prompt = "Hi")]
fn truncated_id(out: llama_test::Output) {
    let _ = out.text();
}

#[llama_eval(models = ["llama-4-scout", "gpt-4o"], prompt = "Hi")]
fn alias_and_foreign_model(out: llama_test::Output) {
    let _ = out.text();
}

fn main() {}
