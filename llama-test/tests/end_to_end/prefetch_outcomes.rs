//! What the suite-wide prefetch reports, tested the way users run it
//! (see `child.rs`): each outcome lands in its own test, a request
//! that fails for good is an ERROR, a 429 storm slows the run instead of
//! failing it, and its recordings replay with and without it.

use std::time::Duration;

use crate::child::{Child, ChildRun, is_child, start_sim, start_sim_with};
use crate::prefetch_probes::{ALL_SUBJECTS, CHAT, PROBES, chat_prompts, expect, sorted};
use llama_test::sim::SimLlamaApi;

/// A live run of `args` against `sim`.
fn live(sim: &SimLlamaApi, args: &[&str]) -> ChildRun {
    Child::new(args).live(sim).run()
}

/// A missing fixture, a failed check and a passing test, prefetched
/// together: each outcome is reported by its own test, errors as ERROR and
/// failed checks as FAIL.
#[test]
fn each_outcome_lands_in_its_own_test() {
    if is_child() {
        return;
    }
    let sim = start_sim();
    let child = live(&sim, &["--ignored", "prefetch_probes::verdicts::"]);
    assert!(!child.success, "{child}");
    let test = |name: &str| format!("prefetch_probes::verdicts::{name}");
    assert_eq!(child.result_of(&test("passes")), Some("ok"), "{child}");
    assert_eq!(child.result_of(&test("fails_a_check")), Some("FAILED"));
    assert_eq!(child.result_of(&test("has_no_fixture")), Some("FAILED"));
    let failure = child.failure_of(&test("has_no_fixture"));
    assert!(failure.contains("llama-test ERROR"), "{failure}");
    assert!(failure.contains("has no recording"), "{failure}");
    let failure = child.failure_of(&test("fails_a_check"));
    assert!(failure.contains("llama-test FAIL"), "{failure}");
    // The replay-only test never reached the API.
    assert_eq!(
        sorted(chat_prompts(&sim)),
        expect(&["prefetch probe verdict fail", "prefetch probe verdict pass"])
    );
}

/// A request that fails for good (here: a wrong key) makes its test an
/// ERROR, not a failed check.
#[test]
fn a_request_that_fails_for_good_is_an_error() {
    if is_child() {
        return;
    }
    let sim = start_sim();
    let child = Child::new(&["--ignored", "prefetch_probes::greetings::hello"])
        .live(&sim)
        .env("LLAMA_API_KEY", "wrong-key")
        .run();
    for test in [
        "prefetch_probes::greetings::hello_alpha",
        "prefetch_probes::greetings::hello_beta",
    ] {
        assert_eq!(child.result_of(test), Some("FAILED"), "{child}");
        let failure = child.failure_of(test);
        assert!(failure.contains("llama-test ERROR"), "{failure}");
        assert!(failure.contains("authentication failed"), "{failure}");
        assert!(!failure.contains("wrong-key"), "the key leaked: {failure}");
    }
    assert_eq!(sim.request_count_for(CHAT), 2);
}

/// Twelve 429s in a row for four concurrent requests: at least one request
/// is refused three times, more than the client's default two retries, yet
/// every test passes because the prefetch waits out `retry-after`.
#[test]
fn a_429_storm_slows_the_run_down_instead_of_failing_tests() {
    if is_child() {
        return;
    }
    let sim =
        start_sim_with(SimLlamaApi::builder().rate_limit_next(12, Duration::from_millis(300)));
    let child = live(
        &sim,
        &[
            "--ignored",
            PROBES,
            "--skip",
            "verdicts",
            "--skip",
            "repeated",
        ],
    );
    child.assert_all_passed();
    assert_eq!(child.passed(), 4, "{child}");
    let answered = chat_prompts(&sim).len();
    assert_eq!(answered, 4 + 1 + 12, "4 subjects, 1 follow-up, 12 refusals");
}

/// Recorded through the prefetch, replayed with and without it, offline.
#[test]
fn recordings_made_by_the_prefetch_replay_both_ways() {
    if is_child() {
        return;
    }
    let sim = start_sim();
    let fixtures = tempfile::tempdir().unwrap();
    let args = ["--ignored", PROBES, "--skip", "verdicts"];
    Child::new(&args)
        .record(&sim)
        .fixtures(fixtures.path())
        .run()
        .assert_all_passed();
    let recorded = sim.request_count();
    assert_eq!(recorded, ALL_SUBJECTS.len() + 1);
    let files = std::fs::read_dir(fixtures.path()).unwrap().count();
    assert_eq!(files, 5, "one fixture per test");

    for prefetch in ["1", "0"] {
        let child = Child::new(&args)
            .replay(Some(&sim.uri()))
            .fixtures(fixtures.path())
            .env("LLAMA_TEST_PREFETCH", prefetch)
            .run();
        child.assert_all_passed();
        assert_eq!(child.passed(), 5, "{child}");
    }
    assert_eq!(sim.request_count(), recorded, "replay never calls the API");
}

#[test]
fn a_bad_prefetch_setting_names_the_variable() {
    if is_child() {
        return;
    }
    let sim = start_sim();
    let child = Child::new(&["--ignored", "prefetch_probes::greetings::hello"])
        .live(&sim)
        .env("LLAMA_TEST_PREFETCH", "maybe")
        .run();
    let failure = child.failure_of("prefetch_probes::greetings::hello_beta");
    assert!(
        failure.contains("LLAMA_TEST_PREFETCH is `maybe`"),
        "{child}"
    );
    assert_eq!(sim.request_count(), 0);
}
