//! Seed: "Provider Options".
//!
//! ```yaml
//! providers:
//!   - id: llamaapi:Llama-4-Maverick-17B-128E-Instruct-FP8
//!     config:
//!       temperature: 0.7
//!       max_tokens: 1000
//!       top_p: 0.9
//!       frequency_penalty: 0
//!       presence_penalty: 0
//!       stream: false
//! ```
//!
//! The OpenAI penalties exist only on the OpenAI-compatible endpoint (the
//! one promptfoo's provider calls), so the full set runs with
//! `endpoint = "compat"`; on the native endpoint they are a compile error
//! rather than a silent drop, and `max_tokens` is sent as
//! `max_completion_tokens`.

use llama_test::prelude::*;

#[llama_eval(
    model = "llamaapi:Llama-4-Maverick-17B-128E-Instruct-FP8",
    endpoint = "compat",
    prompt = "Explain quantum computing in simple terms",
    temperature = 0.7,
    max_tokens = 1000,
    top_p = 0.9,
    frequency_penalty = 0,
    presence_penalty = 0,
    stream = false,
    assert(contains = "quantum")
)]
fn all_options_on_the_compat_endpoint(out: Output) {
    // What went over the wire: OpenAI names on the compat endpoint.
    let body = llama_test::wire::request_body(out.request()).expect("a valid compat body");
    assert_eq!(body["max_tokens"], 1000);
    assert_eq!(body["top_p"], 0.9);
    assert_eq!(body["frequency_penalty"], 0.0);
    assert_eq!(body["presence_penalty"], 0.0);
    assert!(body.get("stream").is_none(), "stream = false is not sent");
}

#[llama_eval(
    model = "llamaapi:Llama-4-Maverick-17B-128E-Instruct-FP8",
    prompt = "Explain quantum computing in simple terms",
    temperature = 0.7,
    max_tokens = 1000,
    top_p = 0.9,
    top_k = 40,
    repetition_penalty = 1.1,
    assert(contains = "quantum")
)]
fn native_options(out: Output) {
    let body = llama_test::wire::request_body(out.request()).expect("a valid native body");
    assert_eq!(body["max_completion_tokens"], 1000);
    assert!(
        body.get("max_tokens").is_none(),
        "native never sends max_tokens"
    );
}
