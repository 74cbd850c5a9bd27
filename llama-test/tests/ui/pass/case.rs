use llama_test::llama_eval;

#[llama_eval(model = "Llama-3.3-70B-Instruct", prompt = "What's the weather like in {{city}}?", case(name = "nyc", city = "New York, NY"), case(city = "Paris"))]
fn case(out: llama_test::Output) {
    let _ = out.text();
}

fn main() {}
