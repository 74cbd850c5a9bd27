//! Procedural macro behind `llama-test`'s `#[llama_eval]`. Use the
//! `llama-test` crate, which re-exports it and documents it.

mod agent;
mod args;
mod assert;
mod body;
mod codegen;
mod errors;
mod eval;
mod expand;
mod files;
mod keys;
mod names;
mod promptfoo;
mod rules;
mod tokens;
mod vars;

use proc_macro::TokenStream;

/// Declares an LLM eval as a test: the request, the checks, and a body that
/// receives the model's answer as a `llama_test::Output`.
///
/// ```ignore
/// use llama_test::prelude::*;
///
/// #[llama_eval(
///     model = "Llama-3.3-70B-Instruct",
///     prompt = "What's the weather like in {{city}}?",
///     tools = "tests/data/tools.json",
///     case(name = "nyc", city = "New York, NY"),
///     assert(function_call = "get_weather"),
/// )]
/// fn tool_calling(out: Output) {
///     let call = out.assert_function_call("get_weather");
///     assert!(call.arguments["location"].as_str().unwrap().contains("New York"));
/// }
/// ```
///
/// # Keys
/// Paths are relative to the crate root (`CARGO_MANIFEST_DIR`); files are read
/// at compile time for checking and embedded, so editing one rebuilds the test.
///
/// | key | value |
/// |---|---|
/// | `model` | `"ID"` (Meta's Llama API), `"llamaapi:ID"`, or `"PROVIDER:MODEL"` for any provider: `openrouter:`, `togetherai:`, `groq:`, `fireworks:`, `cerebras:`, `azure:`, `bedrock:`, `ollama:chat:`, `vllm:`, `llamacpp:`, `lmstudio:`, `ogx:`, `openai:chat:`, or one declared in `llama-test.toml` |
/// | `models` | `["A", "B"]`: one test per model |
/// | `prompt`, `system` | strings; `{{var}}` is filled from the case's vars |
/// | `messages` | path to a JSON array of `{role, content}` |
/// | `image`, `images` | path(s) to JPEG/PNG/GIF/ICO files, or `http(s)://` / `data:` URLs (at most 9, 25 MB each) |
/// | `temperature`, `top_p`, `repetition_penalty` | numbers |
/// | `top_k`, `max_tokens` | integers |
/// | `frequency_penalty`, `presence_penalty` | numbers; need `endpoint = "compat"` |
/// | `stream` | `true`/`false` (a bare `stream` means `true`) |
/// | `tools` | path to a JSON array of function tools |
/// | `tool_choice` | `"auto"`, `"required"`, `"none"` or a tool name |
/// | `json_schema` | path to a JSON Schema, or inline JSON starting with `{` |
/// | `endpoint` | `"native"` (default) or `"compat"` (Meta's Llama API only) |
/// | `extra_body` | a JSON object merged into the request body verbatim, e.g. `extra_body = r#"{"logit_bias": [[5018, 20]]}"#` |
/// | `case(...)` | repeatable: `case(name = "nyc", city = "New York, NY")` |
/// | `assert(...)` | repeatable checks, see [Checks](#checks): `contains = "x"`, `is_json`, `rouge_n(value = "...", threshold = 0.75, weight = 2)`, ... |
/// | `agent(...)` | run the tool loop, see [Agent loops](#agent-loops): `agent(tools = crate::tools::registry, max_steps = 6, then_tool_choice = "none")` |
/// | `threshold` | 0..=1: pass when the weighted score of the checks reaches it |
/// | `repeat`, `min_pass` | run N samples; pass when the pass rate reaches `min_pass` |
/// | `timeout_ms` | per-test timeout |
/// | `record` | `"auto"`, `"replay"`, `"record"` or `"live"` for this test |
/// | `grader` | model for `llm_rubric` |
/// | `allow_unlisted_model` | send a model id the catalogue does not know |
/// | `crate` | path to `llama_test` when it is renamed or re-exported |
///
/// # Checks
/// Each check in `assert(...)` is `key = value`, a bare `key` for flags, or
/// `key(value = .., weight = .., ...)`. `weight` (default 1, 0 makes the check
/// informational) works on every key; `threshold` only where listed. String
/// values may use `{{var}}`. The semantics are in `llama_test::checks`.
///
/// | key | value | `key(...)` options |
/// |---|---|---|
/// | `contains`, `icontains`, `starts_with` | string or number | `value` |
/// | `equals` | string or number | `value` |
/// | `contains_any`, `contains_all`, `icontains_any`, `icontains_all` | `["a", "b"]` | `value` |
/// | `regex` | pattern (checked at compile time) | `value` |
/// | `word_count` | integer (exactly) | `value` or `min`/`max` |
/// | `levenshtein` | expected string | `value`, `threshold` (max edits, default 5) |
/// | `rouge_n` | reference string | `value`, `threshold` (default 0.75) |
/// | `bleu` | reference string or list of them | `value`, `threshold` (default 0.5) |
/// | `stop_reason` | `"stop"`, `"tool_calls"`, `"length"`, ... | `value` |
/// | `is_refusal`, `is_json`, `contains_json`, `no_tool_call` | flag: no value (or `true`) | none |
/// | `max_latency_ms`, `max_tokens_used` | integer | `value` |
/// | `max_cost` | number (USD; prices from `llama-test.toml` or built-in defaults) | `value` |
/// | `function_call` | tool name | `value`, or `name` + `arguments = r#"{"city": "Paris"}"#` (a subset the call's arguments must contain) |
/// | `tool_call_count` | integer (exactly) | `value` or `min`/`max`, `name` |
/// | `tool_call_order` | `["search", "summarize"]` | `value`, `exact = true` |
/// | `llm_rubric` | rubric text | `value`, `threshold` (min score), `grader` (model) |
/// | `tool_used` | tool name (needs `agent`) | `value` |
/// | `tool_sequence` | `["search_hotels", "book_hotel"]`: exactly these steps (needs `agent`) | `value`, `exact = false` (in order, others may come between) |
/// | `tool_args_match` | (needs `agent`) | `name` + `arguments = r#"{"city": "Rome"}"#` (a subset some call's arguments contain) |
/// | `max_steps` | integer: at most that many tool calls (needs `agent`) | `value` |
/// | `tool_call_f1` | `["search_hotels", "book_hotel"]`: F1 of the calls against these (needs `agent`) | `value`, `threshold` (default 1) |
/// | `no_repeated_call` | flag: no call twice with the same arguments (needs `agent`) | none |
///
/// Every key except `max_latency_ms`, `max_tokens_used`, `max_cost`, `no_tool_call`,
/// `tool_call_count`, `tool_call_order` and the agent checks other than
/// `tool_used` also exists as `not_<key>`, which inverts it
/// (`not_function_call`: no call matches).
///
/// # Agent loops
/// `agent(...)` runs the tool loop: the model's tool calls go to Rust
/// implementations, their results back to the model, until it answers
/// without a call. `tools = path` names a `fn() -> llama_test::ToolRegistry`;
/// the tool definitions the model sees stay in the top-level `tools` file,
/// and each needs an implementation. Arguments are validated against the
/// tool's schema first (a violation goes back to the model as an error
/// result). `max_steps` (default 10) bounds the model turns: a model still
/// calling tools at the limit fails the eval with the steps listed.
/// `then_tool_choice` is the `tool_choice` of every turn after the first
/// (default: none sent), so `tool_choice = "required"` with
/// `then_tool_choice = "none"` makes a call, then an answer. The body and
/// the checks see the last answer; `out.trajectory()` has every step.
///
/// ```ignore
/// fn registry() -> llama_test::ToolRegistry {
///     llama_test::ToolRegistry::new().tool("get_weather", |args| async move {
///         Ok(serde_json::json!({"location": args["location"], "temperature": 21}))
///     })
/// }
///
/// #[llama_eval(
///     model = "Llama-3.3-70B-Instruct",
///     prompt = "What's the weather like in Paris?",
///     tools = "tests/data/get_weather.json",
///     agent(max_steps = 4, tools = registry),
///     assert(tool_used = "get_weather", max_steps = 1, contains = "21"),
/// )]
/// fn weather_agent(out: Output) {
///     assert_output_snapshot!(out);
/// }
/// ```
///
/// # Generated tests
/// Without cases or `models`, the test keeps the function's name. Otherwise
/// the function is kept and `mod fn_name { fn case_1_nyc() }` (cases),
/// `fn llama_3_3_70b_instruct()` (models) or
/// `fn case_1_nyc__llama_3_3_70b_instruct()` (both) are generated, so
/// `cargo test fn_name::` runs the group.
///
/// The function may be `fn` or `async fn` and take `Output`, `&Output` or
/// nothing. Every problem in the attribute is a compile error on the
/// offending token.
///
/// `#[llama_eval]` must be the function's only test attribute and come first:
/// it generates the `#[test]` functions and runs `async fn` bodies on its own
/// runtime, so do not add `#[test]`, `#[tokio::test]` or similar.
/// - Below `#[llama_eval]`, any of them is a compile error naming it.
/// - `#[tokio::test]` (or another test macro) above `#[llama_eval]` expands
///   first; the built-in test attribute it leaves is a compile error on it.
/// - `#[test]` above `#[llama_eval]` cannot be detected: the compiler applies
///   the built-in first and it never reaches `#[llama_eval]`. A function that
///   takes `Output`/`&Output` then fails with "functions used as tests can
///   not have any arguments"; one that takes nothing gets an extra test: the
///   eval runs twice under the same name (or, with `case`/`models`, the bare
///   body runs as a test of its own, without a request or checks).
#[proc_macro_attribute]
pub fn llama_eval(attr: TokenStream, item: TokenStream) -> TokenStream {
    expand::expand(attr.into(), item.into()).into()
}

/// Runs a promptfoo config as tests: `promptfoo_suite!("tests/promptfoo/NAME.yaml");`
/// expands to `mod NAME { ... }` with one `#[test]` per test case × prompt ×
/// provider, named `case_1_description` (plus `__prompt_N` with several
/// prompts and `__provider` with several providers). Each runs through the
/// same runtime as `#[llama_eval]`: fixtures, prefetch, PASS/FAIL/ERROR.
///
/// The path is relative to the crate root; the file (and every `file://` it
/// names) is embedded with `include_str!`, so editing it rebuilds the tests.
/// Every config error is a compile error naming the file, and line and column
/// where the YAML has them (errors across tests name the test or provider).
///
/// `promptfoo_suite!("tests/promptfoo/agent.yaml", agent(tools = crate::tools::registry))`
/// runs every test as an agent loop, with the same `agent(...)` options as
/// `#[llama_eval]` (`tools`, `max_steps`, `then_tool_choice`); the config's
/// `trajectory:*` assertions then read the loop's steps. Every provider must
/// declare `config.tools`. Invoke it at module level (the tests and the
/// registry are items of the enclosing module).
#[proc_macro]
pub fn promptfoo_suite(input: TokenStream) -> TokenStream {
    promptfoo::expand(input.into()).into()
}
