use llama_test::llama_eval;

#[llama_eval(
    model = "Llama-3.3-70B-Instruct",
    prompt = "Hi",
    temperature = "hot",
    max_tokens = 1.5,
    stream = "yes",
    top_k = -1,
    repeat = 0,
    top_p = 1.5,
    case("New York"),
)]
fn wrong_value_type(out: llama_test::Output) {
    let _ = out.text();
}

fn main() {}
