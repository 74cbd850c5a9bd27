//! What an eval declared: the static [`EvalSpec`] `#[llama_eval]` and
//! `promptfoo_suite!` generate for each test, and its parts. The macro
//! checked every value at compile time and wrote typed values ([`Endpoint`],
//! [`Sampling`], [`Mode`]), so only files and checks are parsed at run time
//! ([`crate::prepare`]).

use crate::config::Mode;
use crate::request::{Endpoint, Sampling};

/// A file the macro read at compile time (or an inline JSON value).
#[derive(Debug, Clone, Copy)]
pub struct FileSpec {
    /// The path as written in the attribute, relative to `CARGO_MANIFEST_DIR`,
    /// or `"<inline>"` for an inline value.
    pub path: &'static str,
    /// The file's text (the macro embeds it with `include_str!`).
    pub contents: &'static str,
}

/// One `image = ...` / `images = [...]` entry.
#[derive(Debug, Clone, Copy)]
pub struct ImageSpec {
    /// The path or URL as written.
    pub source: &'static str,
    /// The bytes of a local file (embedded with `include_bytes!`); `None` for URLs.
    pub bytes: Option<&'static [u8]>,
}

/// One check inside `assert(...)`.
#[derive(Debug, Clone, Copy)]
pub struct AssertSpec {
    /// The key as written, e.g. `contains`, `not_icontains`, `is_json`.
    pub kind: &'static str,
    /// The value as JSON text: `"\"quantum\""`, `"5"`, `"[\"a\",\"b\"]"`,
    /// `"null"` for a bare flag, or an object for `key(value = .., ...)`.
    pub value: &'static str,
    /// Weight in the aggregate score. Default 1.0.
    pub weight: f64,
    /// Per-check threshold (similarity metrics, rubric score).
    pub threshold: Option<f64>,
    /// promptfoo's `transform`, as JSON text (inline code as a string, or
    /// `{file, source, function}`): JavaScript whose result replaces the
    /// answer for this check.
    pub transform: Option<&'static str>,
    /// promptfoo's `metric`: a name for the check's score in the record.
    pub metric: Option<&'static str>,
}

/// `agent(...)`: run the tool loop with Rust implementations.
#[derive(Debug, Clone, Copy)]
pub struct AgentSpec {
    /// The most model turns (≥ 1).
    pub max_steps: usize,
    /// The user's `fn() -> ToolRegistry`, called once per sample.
    pub tools: fn() -> crate::agent::ToolRegistry,
    /// `tool_choice` on every turn after the first (`then_tool_choice`).
    pub then_tool_choice: Option<&'static str>,
}

/// Everything the attribute declared for one generated test.
#[derive(Debug, Clone, Copy)]
pub struct EvalSpec {
    /// `module_path!()` where the generated test fn lives.
    pub module_path: &'static str,
    /// The user's function name.
    pub fn_name: &'static str,
    /// The generated test fn's own name (equals `fn_name` for a single test).
    pub test_name: &'static str,
    /// The case label (`case_1_nyc`) when the attribute had cases.
    pub case_name: Option<&'static str>,
    /// The model suffix (`llama_3_3_70b_instruct`) when it had `models = [..]`.
    pub model_suffix: Option<&'static str>,
    /// `env!("CARGO_MANIFEST_DIR")` of the crate holding the test.
    pub manifest_dir: &'static str,
    /// `env!("CARGO_PKG_NAME")` of the crate holding the test, for the
    /// re-record command.
    pub package: &'static str,
    /// `file!()` and `line!()` of the attribute.
    pub source_file: &'static str,
    /// The attribute's line in `source_file`.
    pub line: u32,
    /// The model id as written (promptfoo ids accepted).
    pub model: &'static str,
    /// Meta's native format or its OpenAI-compatible endpoint.
    pub endpoint: Endpoint,
    /// `system = "..."`: the system message.
    pub system: Option<&'static str>,
    /// `prompt = "..."`: the user message, after any `messages`.
    pub prompt: Option<&'static str>,
    /// `messages = "file.json"`: a chat history sent first.
    pub messages: Option<FileSpec>,
    /// `image`/`images`: attached to the user message.
    pub images: &'static [ImageSpec],
    /// Temperature, top_p, max_tokens, penalties, as declared.
    pub sampling: Sampling,
    /// `stream = true`: ask for server-sent events.
    pub stream: bool,
    /// `tools = "file.json"`: the tool definitions.
    pub tools: Option<FileSpec>,
    /// `tool_choice`: `auto`, `required`, `none` or a function name.
    pub tool_choice: Option<&'static str>,
    /// `json_schema = "file.json"`: the structured-output schema.
    pub json_schema: Option<FileSpec>,
    /// `extra_body = r#"{...}"#`: a JSON object merged into the request body.
    pub extra_body: Option<&'static str>,
    /// The case's variables, for `{{var}}` templating.
    pub vars: &'static [(&'static str, &'static str)],
    /// The checks of `assert(...)`, in order.
    pub asserts: &'static [AssertSpec],
    /// Test-level threshold on the weighted score.
    pub threshold: Option<f64>,
    /// Samples to take. Default 1.
    pub repeat: u32,
    /// Pass-rate gate for `repeat`. Default 1.0.
    pub min_pass: Option<f64>,
    /// `timeout_ms`: the per-request timeout.
    pub timeout_ms: Option<u64>,
    /// Per-test mode override (`record = "..."`).
    pub mode: Option<Mode>,
    /// Grader model for `llm_rubric`.
    pub grader: Option<&'static str>,
    /// `agent(...)`: the answer is the end of a tool loop.
    pub agent: Option<AgentSpec>,
    /// Send a model id the catalogue does not know.
    pub allow_unlisted_model: bool,
    /// The test carries `#[ignore]`, so libtest runs it only under
    /// `--ignored`/`--include-ignored` (the prefetch must know).
    pub ignored: bool,
}

/// Link-time registry entry, so the runtime can see every eval in the test
/// binary before any of them runs (for the suite-wide prefetch).
#[derive(Debug)]
pub struct EvalRegistration(pub &'static EvalSpec);

inventory::collect!(EvalRegistration);
