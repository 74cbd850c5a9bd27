//! Declarative LLM evals for Meta's Llama API inside `cargo test`.
//!
//! `#[llama_eval(...)]` turns a function into a test that calls the Llama API
//! (or replays a committed recording), runs the declared checks, hands the
//! answer to the body as an [`Output`], and keeps an insta snapshot. CI
//! replays the recordings offline with no API key.
//!
//! ```no_run
//! use llama_test::prelude::*;
//!
//! #[llama_eval(
//!     model = "Llama-3.3-70B-Instruct",
//!     prompt = "Explain quantum computing in simple terms",
//!     assert(contains = "quantum", word_count(min = 20)),
//! )]
//! fn explains_quantum(out: Output) {
//!     out.assert_stop_reason("stop");
//!     assert_output_snapshot!(out);
//! }
//! # fn main() {}
//! ```
//!
//! The [`guide`] walks through every feature of the Llama API provider
//! (text, multimodal, JSON schema, tool calling, streaming, model
//! comparison, provider options, rate limits) with an eval and the
//! equivalent hand-written code.
//!
//! # The attribute
//!
//! [`llama_eval`] documents every key. In short: `model`/`models`, `prompt`,
//! `system`, `messages`, `image`/`images`, the sampling options, `stream`,
//! `tools`, `tool_choice`, `json_schema`, `endpoint`, repeatable `case(...)`,
//! `assert(...)` (keys in [`checks`]), `threshold`, `repeat`/`min_pass`,
//! `timeout_ms`, `record`, `grader`. Mistakes are compile errors on the
//! offending token: unknown keys, wrong value types, missing files, unknown
//! models (with a did-you-mean), an undefined `{{var}}`, an invalid regex,
//! an image for a text-only model, a second test attribute.
//!
//! Cases and models generate `mod fn_name { fn case_1_nyc() ... }`, so
//! `cargo test fn_name::` runs a group.
//!
//! # Where answers come from
//!
//! | `LLAMA_TEST_MODE` | fixture | network | key |
//! |---|---|---|---|
//! | `auto` (local default) | replayed when present, recorded when missing and a key is set | only to record | only to record |
//! | `replay` (default when `CI` is set) | must exist | never | no |
//! | `record` | rewritten when every request succeeded | yes | yes |
//! | `live` | untouched | yes | yes |
//!
//! `LLAMA_API_KEY`, `LLAMA_API_BASE_URL` (default `https://api.llama.com`)
//! and `LLAMA_TEST_FIXTURES` (default `<crate>/fixtures`) complete the
//! configuration; a bad value is an error naming the variable. See
//! [`fixtures`] for the file format, replay misses and the secret scan.
//!
//! # Speed
//!
//! `cargo test` runs a few tests at a time, but a live or recording run is
//! bound by the API, not by threads: when the first eval of a test binary
//! starts, the requests of every eval the run selects (libtest filters,
//! `--skip`, `--exact`, `--ignored` are honoured; `--list` sends nothing)
//! go out concurrently under the shared per-family rate limiter, at most
//! 128 tests ahead of the test threads (memory stays flat: 3,000 replayed
//! evals peak at ~51 MiB), and each test then checks its own answers.
//! `LLAMA_TEST_PREFETCH=0` turns this off; under nextest (one process per
//! test) it is off by itself.
//!
//! # Outcomes
//!
//! A test passes, fails (`llama-test FAIL`: a check said no; the message
//! lists every failing check with expected vs. actual, a trimmed output and
//! the fixture) or errors (`llama-test ERROR`: transport, auth, 429s past
//! the rate-limit wait budget, a bad fixture or configuration; the message
//! names what to fix).
//!
//! # Results
//!
//! Every sample appends a result record to
//! `target/llama-test/runs/<run id>/` ([`records`]); the `llama-test`
//! command (package `llama-test-cli`) writes HTML, JUnit XML, JSON and
//! Markdown reports from it and compares runs. `assert(max_cost = ...)`
//! gates the estimated cost ([`pricing`]); live and recording runs show a
//! [`progress`] line on stderr.
//!
//! # Building blocks
//!
//! - [`Client`]: native and OpenAI-compatible chat completions, streaming,
//!   retries, a shared rate limiter, typed errors that never contain the key.
//! - [`checks`]: promptfoo's deterministic assertions, JSON Schema, tool
//!   calls and a fail-closed Llama rubric grader, usable on plain strings.
//! - [`Eval`]: programmatic and multi-turn calls inside an eval.
//! - [`sim`] (feature `sim`): a simulated Llama API for testing your own code.
//! - [`bedrock`]: AWS Bedrock's Converse wire format (request body, answer,
//!   event-stream framing, SigV4 and API-key auth) for `bedrock:` models.
//!
//! # Inside: the data path
//!
//! One eval, from the attribute to the verdict, with the file of each step
//! (paths under `llama-test/src/` unless named):
//!
//! 1. `llama-test-macros` checks the attribute at compile time against the
//!    knowledge in `llama-test-core` (catalogue, providers, check kinds,
//!    files, `{{var}}` grammar, did-you-mean) and writes a static `EvalSpec`
//!    (`spec.rs`) plus a call to `__private::run` (`private.rs`, which only
//!    re-exports).
//! 2. `runner.rs` runs the test: it takes the answers the suite-wide prefetch
//!    already fetched (`prefetch/`: libtest filters, the window, the registry) or
//!    opens the test's context itself (`context.rs`: settings read once in
//!    `settings.rs`, the fixture session, the shared client).
//! 3. `prepare.rs` turns the spec into a `ChatRequest` (`request.rs`) and
//!    parsed checks; `agent_attr.rs`/`agent.rs` run a tool loop when the
//!    eval has `agent(...)`.
//! 4. The fixture session (`fixtures/`) decides live, record or replay:
//!    replay serves the recorded tape from a loopback wiremock server
//!    (`fixtures/replay.rs`), record writes the fixture atomically.
//! 5. `client/` sends the request (routing per provider, retries, rate-limit
//!    windows, shared limits across processes), `wire/` and `bedrock/`
//!    speak each dialect, and the answer becomes a `Completion`
//!    (`completion.rs`).
//! 6. `checks/` evaluates the declared checks into a report; the body gets
//!    the `Output` (`output.rs`); `records/` appends the result record and
//!    `runner.rs` gives the verdict: PASS, FAIL or ERROR.
//!
//! `runtime.rs` holds the tokio runtime every test of a binary shares and
//! the test whose body is running; `notice.rs` prints what libtest must not
//! capture.
//!
//! # Prior art
//!
//! | | llama-test | promptfoo | VCR-style recorders |
//! |---|---|---|---|
//! | runs inside `cargo test` | yes | no (CLI) | yes |
//! | replay matches on the request body, with a field diff on a miss | yes | cache only | mostly method + URL |
//! | streams recorded as events | yes | no | often broken |
//! | rubric grader fails closed | yes | missing `pass` means pass | n/a |
//! | compile-time checks of the eval | yes | no | n/a |

#![warn(missing_docs)]

pub mod agent;
mod agent_attr;
pub mod bedrock;
pub mod catalogue;
pub mod checks;
pub mod client;
pub mod completion;
pub mod config;
mod context;
pub mod error;
mod eval;
mod excerpt;
pub mod exchange;
pub mod fixtures;
pub mod guide;
pub mod images;
mod notice;
mod output;
mod output_asserts;
mod prefetch;
mod prepare;
pub mod pricing;
pub mod progress;
pub mod providers;
pub mod records;
pub mod request;
mod runner;
mod runtime;
pub mod settings;
#[cfg(feature = "sim")]
#[cfg_attr(docsrs, doc(cfg(feature = "sim")))]
pub mod sim;
mod snapshot;
mod spec;
pub mod template;
pub mod wire;

#[doc(hidden)]
#[path = "private.rs"]
pub mod __private;

pub use agent::{ToolRegistry, ToolResult};
pub use client::{Client, ClientConfig};
pub use completion::{Completion, RateLimitInfo, StopReason, ToolCall, Usage};
pub use config::Mode;
pub use error::{Error, Result};
pub use eval::Eval;
pub use llama_test_macros::{llama_eval, promptfoo_suite};
pub use output::Output;
pub use request::{
    ChatRequest, ContentPart, Endpoint, JsonSchemaFormat, Message, Role, Sampling, Tool, ToolChoice,
};
pub use settings::Settings;

/// Everything a test file needs: `use llama_test::prelude::*;`.
pub mod prelude {
    pub use crate::{
        Eval, Message, Output, Tool, ToolChoice, ToolRegistry, assert_output_snapshot, llama_eval,
    };
}
