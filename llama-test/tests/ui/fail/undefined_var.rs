use llama_test::llama_eval;

#[llama_eval(
    model = "Llama-3.3-70B-Instruct",
    prompt = "What's the weather like in {{citty}}?",
    case(name = "nyc", city = "New York, NY"),
    assert(contains = "{{unit}}"),
)]
fn undefined_var(out: llama_test::Output) {
    let _ = out.text();
}

#[llama_eval(model = "Llama-3.3-70B-Instruct", prompt = "Write about {{topic}}")]
fn var_without_cases(out: llama_test::Output) {
    let _ = out.text();
}

// `{{ {{tone}} }}` holds the placeholder `tone`, at run time and here.
#[llama_eval(
    model = "Llama-3.3-70B-Instruct",
    prompt = "Answer in a {{ {{tone}} }} tone",
    case(mood = "calm"),
)]
fn nested_braces(out: llama_test::Output) {
    let _ = out.text();
}

fn main() {}
