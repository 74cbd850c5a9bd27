//! Converted from `tests/promptfoo/tool-calling.yaml` by `llama-test promptfoo convert`.

use llama_test::prelude::*;

mod tool_calling {
    use super::*;

    /// Test 1 (vars: city = New York, NY)
    // TODO: `javascript` output.arguments.location.includes('New York'): has no attribute form; check it in the body (`fn ...(out: Output)`) with `out.text()`, `out.json()` or `out.tool_calls()`
    #[llama_eval(
        model = "llamaapi:Llama-3.3-70B-Instruct",
        tools = "tests/data/tool_calling__llama_3_3_70b_instruct_tools.json",
        prompt = "What's the weather like in New York, NY?",
        assert(function_call = "get_weather")
    )]
    fn case_1() {}
}
