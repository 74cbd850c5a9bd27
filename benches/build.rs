//! Writes the 300-test sources that `tests/evals300.rs` and
//! `tests/plain300.rs` include.

#[path = "src/generate.rs"]
#[allow(dead_code)]
mod generate;

use std::path::PathBuf;

fn main() {
    println!("cargo::rerun-if-changed=src/generate.rs");
    println!("cargo::rerun-if-changed=build.rs");
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    let n = generate::DEFAULT_COUNT;
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
