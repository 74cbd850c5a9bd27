//! `key(...)` options the runtime would reject: each is a compile error.
use llama_test::llama_eval;

#[llama_eval(
    model = "Llama-3.3-70B-Instruct",
    prompt = "Call a tool",
    tools = "tests/ui/data/tools.json",
    assert(
        contains(value = "x", threshold = 0.5),
        word_count(min = 5, threshold = 1),
        levenshtein(value = "x", threshold = 2.5),
        rouge_n(value = "x", weight = -1, treshold = 0.5),
        word_count(min = 10, max = 5),
        tool_call_count(name = "get_weather"),
        contains(weight = 2),
        function_call(name = "get_weather", arguments = "{\"location\": }"),
        function_call(value = "get_weather", arguments = "{}"),
        llm_rubric(value = "Is kind", grader = "llama-4-scout"),
    )
)]
fn assert_options(out: llama_test::Output) {
    let _ = out.text();
}

fn main() {}
