//! Every check kind, in each value form, including `not_`, the `key(...)`
//! options and `{{var}}`.
use llama_test::llama_eval;

#[llama_eval(
    model = "Llama-3.3-70B-Instruct",
    prompt = "Explain {{topic}}",
    tools = "tests/ui/data/tools.json",
    case(topic = "quantum computing"),
    assert(
        contains = "quantum", icontains = "QUANTUM", not_contains = "lorem",
        contains_any = ["qubit", "superposition"], contains_all = ["quantum"],
        icontains_any = ["a"], icontains_all = ["b"], starts_with = "Quantum",
        equals = "x", regex = "\\bq\\w+", word_count(min = 5, max = 500),
        levenshtein(value = "Quantum computing", threshold = 40),
        rouge_n(value = "{{topic}} uses qubits", threshold = 0.2),
        bleu(value = ["a reference"], threshold = 0.1, weight = 0.5),
        stop_reason = "stop", not_is_refusal, max_latency_ms = 30000,
        max_tokens_used = 2000, max_cost = 0.01, not_is_json, not_contains_json,
        not_function_call = "get_weather", no_tool_call, tool_call_count = 0,
        tool_call_order = ["get_weather"], llm_rubric = "Explains {{topic}} simply",
    ),
    assert(
        function_call(name = "get_weather", arguments = r#"{"location": "{{topic}}"}"#),
        tool_call_count(name = "get_weather", min = 1, weight = 2),
        tool_call_order(value = ["get_weather"], exact = true),
        llm_rubric(value = "Is accurate", threshold = 0.8, grader = "Llama-3.3-8B-Instruct"),
        is_json(weight = 0), contains_json = true,
    ),
)]
fn checks(out: llama_test::Output) {
    let _ = out.text();
}

fn main() {}
