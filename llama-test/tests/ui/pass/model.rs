use llama_test::llama_eval;

#[llama_eval(model = "llamaapi:chat:Llama-3.3-8B-Instruct", prompt = "Hi")]
fn model(out: llama_test::Output) {
    let _ = out.text();
}

fn main() {}
