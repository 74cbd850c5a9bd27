//! What a `#[llama_eval]` test reports, end to end: repeat gates, FAIL vs.
//! ERROR, the body's own panics, fail-closed grading and advisory snapshots
//! in live mode. The probe evals are `#[ignore]`d; each driver starts the
//! simulated Llama API, scripts its answers and runs one probe in a child
//! process (see `child.rs`).

use crate::child::{Child, ChildRun, is_child, start_sim};
use llama_test::prelude::*;
use llama_test::sim::{Reply, SimLlamaApi};

mod probes {
    use super::*;

    #[llama_eval(
        model = "Llama-3.3-8B-Instruct",
        prompt = "flaky probe",
        repeat = 4,
        min_pass = 0.5,
        assert(contains = "yes")
    )]
    #[ignore = "a probe for the driver tests below, which run it in a child process"]
    fn repeat_half_gate() {}

    #[llama_eval(
        model = "Llama-3.3-8B-Instruct",
        prompt = "flaky probe",
        repeat = 4,
        min_pass = 0.75,
        assert(contains = "yes")
    )]
    #[ignore = "a probe for the driver tests below, which run it in a child process"]
    fn repeat_strict_gate() {}

    #[llama_eval(model = "Llama-3.3-8B-Instruct", prompt = "body probe")]
    #[ignore = "a probe for the driver tests below, which run it in a child process"]
    fn body_panics(out: Output) {
        assert_eq!(out.text(), "something else", "the body's own message");
    }

    #[llama_eval(
        model = "Llama-3.3-8B-Instruct",
        prompt = "rubric probe",
        assert(llm_rubric = "Is polite")
    )]
    #[ignore = "a probe for the driver tests below, which run it in a child process"]
    fn rubric_probe() {}

    #[llama_eval(model = "Llama-3.3-8B-Instruct", prompt = "snapshot probe")]
    #[ignore = "a probe for the driver tests below, which run it in a child process"]
    fn live_snapshot_probe(out: Output) {
        assert_output_snapshot!(out);
    }
}

const PROBES: &str = "runtime_outcomes::probes::";

fn run_probe(sim: &SimLlamaApi, name: &str) -> ChildRun {
    let path = format!("{PROBES}{name}");
    Child::exact(&[&path]).nocapture().live(sim).run()
}

/// Like [`run_probe`], with libtest capturing output as in a normal run:
/// notices must get through anyway.
fn run_probe_captured(sim: &SimLlamaApi, name: &str, env: &[(&str, &str)]) -> ChildRun {
    let path = format!("{PROBES}{name}");
    env.iter()
        .fold(Child::exact(&[&path]).live(sim), |child, (k, v)| {
            child.env(k, v)
        })
        .run()
}

fn replies(sim: &SimLlamaApi, texts: &[&str]) {
    for text in texts {
        sim.reply_next(Reply::text(*text));
    }
}

#[test]
fn a_repeat_gate_passes_at_its_rate_and_reports_flakiness() {
    if is_child() {
        return;
    }
    let sim = start_sim();
    replies(&sim, &["yes", "no", "yes", "no"]);
    let child = run_probe_captured(&sim, "repeat_half_gate", &[]);
    child.assert_all_passed();
    assert!(
        child.stderr.contains("is flaky: 2/4 samples passed"),
        "{child}"
    );
    assert_eq!(sim.request_count(), 4, "four samples, four requests");
}

#[test]
fn a_repeat_gate_fails_below_its_rate() {
    if is_child() {
        return;
    }
    let sim = start_sim();
    replies(&sim, &["yes", "no", "yes", "no"]);
    let child = run_probe(&sim, "repeat_strict_gate");
    let failure = child.failure_of("runtime_outcomes::probes::repeat_strict_gate");
    assert!(failure.contains("llama-test FAIL"), "{child}");
    assert!(
        failure.contains("2/4 samples passed (50%), below min_pass 75%"),
        "{failure}"
    );
    assert!(
        failure.contains("contains"),
        "the first failing sample's report: {failure}"
    );
}

#[test]
fn the_bodys_own_panic_is_the_failure() {
    if is_child() {
        return;
    }
    let sim = start_sim();
    replies(&sim, &["hello"]);
    let child = run_probe(&sim, "body_panics");
    let failure = child.failure_of("runtime_outcomes::probes::body_panics");
    assert!(failure.contains("the body's own message"), "{child}");
    assert!(!failure.contains("llama-test ERROR"), "{failure}");
}

#[test]
fn a_grader_reply_without_a_verdict_is_an_error_not_a_pass() {
    if is_child() {
        return;
    }
    let sim = start_sim();
    replies(&sim, &["Thank you kindly!", "Looks polite to me."]);
    let child = run_probe(&sim, "rubric_probe");
    let failure = child.failure_of("runtime_outcomes::probes::rubric_probe");
    assert!(failure.contains("llama-test ERROR"), "{child}");
    assert!(
        failure.contains("Looks polite to me."),
        "shows the grader's reply: {failure}"
    );
    assert_eq!(sim.request_count(), 2, "subject and grader calls");
}

#[test]
fn a_snapshot_mismatch_only_warns_in_live_mode() {
    if is_child() {
        return;
    }
    // tests/end_to_end/snapshots/end_to_end__runtime_outcomes__probes__live_snapshot_probe.snap holds another answer.
    let pending = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/end_to_end/snapshots/end_to_end__runtime_outcomes__probes__live_snapshot_probe.snap.new");
    let sim = start_sim();
    replies(&sim, &["today's answer"]);
    // insta's local default would write a `.snap.new` for review.
    let child = run_probe_captured(&sim, "live_snapshot_probe", &[("INSTA_UPDATE", "auto")]);
    child.assert_all_passed();
    assert!(
        child.stderr.contains("differs from the live answer"),
        "{child}"
    );
    assert!(
        !pending.exists(),
        "a live answer was left for `cargo insta review`"
    );
}

#[tokio::test]
async fn eval_outside_an_eval_test_says_where_to_call_it() {
    let err = Eval::new("Llama-3.3-8B-Instruct")
        .prompt("hi")
        .try_run()
        .await
        .unwrap_err();
    assert!(
        err.to_string().contains("outside a `#[llama_eval]` test"),
        "{err}"
    );
}

/// The settings are read once, strictly, and every bad variable is named in
/// the one ERROR, so a run shows all there is to fix.
#[test]
fn every_bad_setting_is_named_in_one_error() {
    if is_child() {
        return;
    }
    let sim = start_sim();
    let child = Child::exact(&["runtime_outcomes::probes::body_panics"])
        .live(&sim)
        .env("LLAMA_TEST_PREFETCH", "sometimes")
        .env("LLAMA_TEST_RATE_LIMIT_WAIT", "forever")
        .run();
    let failure = child.failure_of("runtime_outcomes::probes::body_panics");
    assert!(failure.contains("llama-test ERROR"), "{child}");
    for named in [
        "LLAMA_TEST_PREFETCH is `sometimes`",
        "LLAMA_TEST_RATE_LIMIT_WAIT is `forever`",
    ] {
        assert!(failure.contains(named), "{named}: {failure}");
    }
    assert_eq!(sim.request_count(), 0, "nothing is sent on a bad setting");
}
