//! Check forms the runtime would reject: each is a compile error instead.
use llama_test::llama_eval;

#[llama_eval(
    model = "Llama-3.3-70B-Instruct",
    prompt = "Call a tool",
    tools = "tests/ui/data/tools.json",
    assert(
        not_max_latency_ms = 100, not_no_tool_call, not_tool_call_order = ["get_weather"],
        not_tool_call_count = 1, contians = "x", function_call, not_function_call,
        is_json = "tests/ui/data/product_review.schema.json", contains_json = "{}",
        contains_all = [], contains = "",
    )
)]
fn assert_forms(out: llama_test::Output) {
    let _ = out.text();
}

fn main() {}
