use llama_test::llama_eval;

// One test per provider; other providers' model ids are open strings.
#[llama_eval(
    models = [
        "llamaapi:Llama-3.3-70B-Instruct",
        "openrouter:meta-llama/llama-3.3-70b-instruct",
        "ollama:chat:llama3.3",
        "llamacpp:tiny",
        "bedrock:meta.llama3-3-70b-instruct-v1:0",
    ],
    prompt = "Hi",
    temperature = 0,
    max_tokens = 16,
    grader = "togetherai:meta-llama/Llama-3.3-70B-Instruct-Turbo",
)]
fn compared(out: llama_test::Output) {
    let _ = out.text();
}

// Server options go through verbatim; llama.cpp takes `top_k`.
#[llama_eval(model = "llamacpp:tiny", top_k = 1, extra_body = r#"{"logit_bias": [[5018, 20]]}"#, prompt = "Hi")]
fn extra_body(out: llama_test::Output) {
    let _ = out.text();
}

fn main() {}
