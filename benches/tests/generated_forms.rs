//! The two forms `compile300` compiles declare the same evals: what
//! `#[llama_eval]` generates and the hand-written `EvalSpec` + `run` form
//! register equal specs, so the compile-time ratio measures the macro and
//! nothing else. (The evals themselves are `#[ignore]`d; only their specs
//! are compared.)

mod macro_form {
    include!(concat!(env!("OUT_DIR"), "/macro_form.rs"));
}

mod direct_form {
    include!(concat!(env!("OUT_DIR"), "/direct_form.rs"));
}

use llama_test::__private::{EvalRegistration, EvalSpec, inventory};

/// A spec's content, without where it was declared.
fn content(spec: &EvalSpec) -> String {
    let mut spec = *spec;
    spec.module_path = "";
    spec.source_file = "";
    spec.line = 0;
    format!("{spec:?}")
}

fn specs_in(module: &str) -> Vec<(&'static str, String)> {
    let mut specs: Vec<_> = inventory::iter::<EvalRegistration>
        .into_iter()
        .filter(|r| r.0.module_path.ends_with(module))
        .map(|r| (r.0.test_name, content(r.0)))
        .collect();
    specs.sort();
    specs
}

#[test]
fn both_forms_register_the_same_eval_specs() {
    let generated = specs_in("::macro_form");
    let hand_written = specs_in("::direct_form");
    assert_eq!(generated.len(), 6);
    for kind in ["text_", "json_", "tool_"] {
        assert_eq!(
            generated
                .iter()
                .filter(|(n, _)| n.starts_with(kind))
                .count(),
            2
        );
    }
    assert_eq!(generated, hand_written);
}
