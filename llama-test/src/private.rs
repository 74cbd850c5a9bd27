//! What `#[llama_eval]` expands to calls into this module. Not public API:
//! names here may change in any release.

pub use inventory;

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
    pub line: u32,
    /// The model id as written (promptfoo ids accepted).
    pub model: &'static str,
    /// `"native"` or `"compat"`.
    pub endpoint: &'static str,
    pub system: Option<&'static str>,
    pub prompt: Option<&'static str>,
    pub messages: Option<FileSpec>,
    pub images: &'static [ImageSpec],
    pub temperature: Option<f64>,
    pub top_p: Option<f64>,
    pub top_k: Option<u32>,
    pub max_tokens: Option<u32>,
    pub repetition_penalty: Option<f64>,
    pub frequency_penalty: Option<f64>,
    pub presence_penalty: Option<f64>,
    pub stream: bool,
    pub tools: Option<FileSpec>,
    pub tool_choice: Option<&'static str>,
    pub json_schema: Option<FileSpec>,
    /// `extra_body = r#"{...}"#`: a JSON object merged into the request body.
    pub extra_body: Option<&'static str>,
    /// The case's variables, for `{{var}}` templating.
    pub vars: &'static [(&'static str, &'static str)],
    pub asserts: &'static [AssertSpec],
    /// Test-level threshold on the weighted score.
    pub threshold: Option<f64>,
    /// Samples to take. Default 1.
    pub repeat: u32,
    /// Pass-rate gate for `repeat`. Default 1.0.
    pub min_pass: Option<f64>,
    pub timeout_ms: Option<u64>,
    /// Per-test mode override (`record = "..."`).
    pub mode: Option<&'static str>,
    /// Grader model for `llm_rubric`.
    pub grader: Option<&'static str>,
    /// Send a model id the catalogue does not know.
    pub allow_unlisted_model: bool,
    /// The test carries `#[ignore]`, so libtest runs it only under
    /// `--ignored`/`--include-ignored` (the prefetch must know).
    pub ignored: bool,
}

/// Link-time registry entry, so the runtime can see every eval in the test
/// binary before any of them runs (for concurrent dispatch).
#[derive(Debug)]
pub struct EvalRegistration(pub &'static EvalSpec);

inventory::collect!(EvalRegistration);

/// Runs one generated test: build the request, get the answer (live, record
/// or replay), run the declared checks, then the body. Panics on failure.
///
/// Generic only as a thin shim: the body is boxed here so the runtime is
/// compiled once per binary, not once per generated test (this keeps a file
/// of hundreds of evals cheap to compile).
pub fn run<F, Fut>(spec: &'static EvalSpec, body: F)
where
    F: Fn(crate::output::Output) -> Fut + 'static,
    Fut: std::future::Future<Output = ()> + 'static,
{
    let boxed: BoxedBody = Box::new(move |out| Box::pin(body(out)));
    crate::runtime::run(spec, boxed)
}

/// The one body type the runtime is instantiated with.
pub type BoxedBody =
    Box<dyn Fn(crate::output::Output) -> std::pin::Pin<Box<dyn std::future::Future<Output = ()>>>>;

pub use crate::snapshot::{snapshot_content, snapshot_guard};
pub use insta;
