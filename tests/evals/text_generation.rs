//! Seed: "Text Generation — basic text generation works with all models".
//!
//! ```yaml
//! providers: [llamaapi:Llama-3.3-70B-Instruct]
//! prompts: ['Explain quantum computing in simple terms']
//! tests:
//!   - assert:
//!       - type: contains
//!         value: 'quantum'
//! ```

use llama_test::prelude::*;

#[llama_eval(
    model = "llamaapi:Llama-3.3-70B-Instruct",
    prompt = "Explain quantum computing in simple terms",
    assert(contains = "quantum")
)]
fn explains_quantum_computing(out: Output) {
    assert_output_snapshot!(out);
}

/// The same check written in the body instead of the attribute.
#[llama_eval(
    model = "Llama-3.3-70B-Instruct",
    system = "You are a patient physics teacher.",
    prompt = "Explain quantum computing in simple terms"
)]
fn explains_quantum_computing_in_body(out: Output) {
    out.assert_contains("quantum");
    out.assert_stop_reason("stop");
    let usage = out.usage().expect("the native API reports token metrics");
    assert!(usage.total_tokens > 0);
}
