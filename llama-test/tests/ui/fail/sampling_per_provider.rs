use llama_test::llama_eval;

// Meta's compat endpoint is OpenAI's: no `top_k`, no `repetition_penalty`.
#[llama_eval(model = "Llama-3.3-70B-Instruct", endpoint = "compat", top_k = 40, repetition_penalty = 1.1, prompt = "Hi")]
fn native_options_on_compat(out: llama_test::Output) {
    let _ = out.text();
}

// Groq takes OpenAI's sampling set; Cerebras not even the penalties.
#[llama_eval(models = ["groq:llama-3.3-70b-versatile", "cerebras:llama3.1-8b"], top_k = 40, presence_penalty = 0.5, prompt = "Hi")]
fn options_a_provider_refuses(out: llama_test::Output) {
    let _ = out.text();
}

#[llama_eval(model = "ollama:chat:llama3.3", endpoint = "compat", extra_body = "[1, 2]", prompt = "Hi")]
fn endpoint_and_extra_body(out: llama_test::Output) {
    let _ = out.text();
}

fn main() {}
