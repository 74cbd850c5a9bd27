//! Writes the 300-test sources that `tests/evals300.rs` and
//! `tests/plain300.rs` include.

#[path = "src/generate.rs"]
#[allow(dead_code)]
mod generate;

use std::path::PathBuf;

fn main() {
    println!("cargo::rerun-if-changed=src/generate.rs");
    println!("cargo::rerun-if-changed=build.rs");
    // `replay300 --count 3000` rebuilds the suites at another size.
    println!("cargo::rerun-if-env-changed={}", generate::COUNT_VAR);
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    let n = match std::env::var(generate::COUNT_VAR) {
        Ok(text) => text
            .parse()
            .unwrap_or_else(|_| panic!("{} must be a number, got `{text}`", generate::COUNT_VAR)),
        Err(_) => generate::DEFAULT_COUNT,
    };
    let files = [
        ("evals300.rs", generate::llama_eval_source(n, "data", true)),
        // Reads the fixtures `tests/evals300.rs` recorded.
        ("plain300.rs", generate::baseline_source(n, "evals300")),
        // A few of each form, for the test that they are the same evals.
        (
            "macro_form.rs",
            generate::llama_eval_source(6, "data", true),
        ),
        (
            "direct_form.rs",
            generate::runtime_call_source(6, "data", true),
        ),
    ];
    for (name, source) in files {
        std::fs::write(out.join(name), source).expect("OUT_DIR is writable");
    }
}
