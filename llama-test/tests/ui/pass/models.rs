use llama_test::llama_eval;

#[llama_eval(models = ["Llama-3.3-70B-Instruct", "Cerebras-Llama-4-Scout-17B-16E-Instruct", "Groq-Llama-4-Maverick-17B-128E-Instruct"], prompt = "Hi")]
fn models(out: llama_test::Output) {
    let _ = out.text();
}

fn main() {}
