//! `report --compare`: newly failing and passing samples, changed answers,
//! cost and latency deltas.

use llama_test_cli::compare::{compare, render};
use llama_test_cli::summary::Outcome;

#[test]
fn a_changed_answer_and_a_newly_failing_case_are_named() {
    let before = crate::support::suite();
    let mut after = crate::support::suite();
    // `weather::paris::m0` was re-recorded: another answer, and it fails.
    let paris = after
        .iter_mut()
        .find(|r| r.test == "weather::paris::m0")
        .unwrap();
    *paris = crate::support::record(
        "weather::paris::m0",
        crate::support::MODELS[0],
        "FAIL",
        "Rain all day.",
    );
    paris.function = "weather::paris".into();
    paris.latency_ms = Some(400);
    // `greeting::hello::m2` answers differently and still passes.
    let hello = after
        .iter_mut()
        .find(|r| r.test == "greeting::hello::m2")
        .unwrap();
    hello.answer.as_mut().unwrap().text = "Hello there, it is sunny.".into();
    // The hostile FAIL now passes.
    let nyc = after
        .iter_mut()
        .find(|r| r.test == "weather::nyc::m1")
        .unwrap();
    nyc.verdict = "PASS".into();

    let c = compare("A", &before, "B", &after);
    assert_eq!(c.newly_failing.len(), 1, "{c:#?}");
    let failing = &c.newly_failing[0];
    assert_eq!(failing.test, "evals::weather::paris::m0");
    assert_eq!(
        (failing.before, failing.after),
        (Outcome::Pass, Outcome::Fail)
    );
    assert_eq!(
        failing
            .answer_after
            .as_deref()
            .map(|a| a.starts_with("Rain all day.")),
        Some(true)
    );
    assert_eq!(c.newly_passing.len(), 1);
    let changed: Vec<&str> = c.answer_changed.iter().map(|ch| ch.test.as_str()).collect();
    assert_eq!(
        changed,
        ["evals::greeting::hello::m2", "evals::weather::paris::m0"]
    );
    assert!(c.regressed());

    let text = render(&c);
    assert!(
        text.contains("1 newly failing, 1 newly passing, 2 answers changed"),
        "{text}"
    );
    assert!(text.contains("### Newly failing\n\n- `evals::weather::paris::m0` on `llamaapi:Llama-3.3-70B-Instruct`: PASS → FAIL — FAIL contains"), "{text}");
    assert!(text.contains("  - before: \"It is sunny."), "{text}");
    assert!(text.contains("  - after:  \"Rain all day."), "{text}");
    assert!(
        text.contains("| `llamaapi:Llama-3.3-70B-Instruct` | 100% → 67% |"),
        "{text}"
    );
    assert!(text.contains("(+264 ms)") || text.contains("+"), "{text}");
}
