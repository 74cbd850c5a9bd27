use llama_test::llama_eval;

#[llama_eval(
    models = ["Llama-3.3-8B-Instruct", "llamaapi:Llama-3.3-8B-Instruct"],
    prompt = "Hi",
)]
fn same_model_twice(out: llama_test::Output) {
    let _ = out.text();
}

fn main() {}
