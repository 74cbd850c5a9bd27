use llama_test::llama_eval;

#[llama_eval(model = "Llama-3.3-70B-Instruct", messages = "tests/ui/data/chat.json")]
fn messages(out: llama_test::Output) {
    let _ = out.text();
}

fn main() {}
