//! The suite-wide dispatcher, tested the way users run it: this binary holds
//! a few `#[llama_eval]` tests, `#[ignore]`d so that a plain `cargo test`
//! skips them, and driver tests that start the simulated Llama API and run
//! this same binary again as a child process with `--ignored` plus libtest
//! filters, then count what reached the simulator.
//!
//! (Under `--include-ignored` the probe evals also run in the parent, where
//! no simulator is configured, and report errors; the drivers never pass
//! that flag to the child.)

mod dispatch_support;

use std::time::Duration;

use dispatch_support::{CHAT, Child, chat_prompts, expect, run_child, sorted};
use llama_test::prelude::*;
use llama_test::sim::SimLlamaApi;

mod greetings {
    use super::*;

    /// The first test libtest runs; its follow-up call shows whether the
    /// other tests' requests were already sent when its body ran.
    #[llama_eval(
        model = "Llama-3.3-70B-Instruct",
        prompt = "dispatch probe hello_alpha",
        assert(contains = "hello_alpha")
    )]
    #[ignore = "a probe for the dispatch driver tests; they run it in a child process"]
    async fn hello_alpha() {
        let follow_up = Eval::new("Llama-3.3-70B-Instruct")
            .prompt("dispatch probe follow-up of hello_alpha")
            .run()
            .await;
        follow_up.assert_contains("follow-up");
    }

    #[llama_eval(
        model = "Llama-3.3-70B-Instruct",
        prompt = "dispatch probe hello_beta",
        assert(contains = "hello_beta")
    )]
    #[ignore = "a probe for the dispatch driver tests; they run it in a child process"]
    fn hello_beta() {}
}

mod weather {
    use super::*;

    #[llama_eval(
        model = "Llama-3.3-70B-Instruct",
        prompt = "dispatch probe forecast for {{city}}",
        case(name = "paris", city = "Paris"),
        case(name = "rome", city = "Rome"),
        assert(contains = "forecast")
    )]
    #[ignore = "a probe for the dispatch driver tests; they run it in a child process"]
    fn forecast(out: Output) {
        assert!(out.text().contains("dispatch probe"));
    }
}

#[llama_eval(
    model = "Llama-3.3-70B-Instruct",
    prompt = "dispatch probe repeated",
    repeat = 3,
    assert(contains = "repeated")
)]
#[ignore = "a probe for the dispatch driver tests; they run it in a child process"]
fn repeated() {}

/// One test per outcome, to check that each lands in its own test.
mod verdicts {
    use super::*;

    #[llama_eval(
        model = "Llama-3.3-70B-Instruct",
        prompt = "dispatch probe verdict pass"
    )]
    #[ignore = "a probe for the dispatch driver tests; they run it in a child process"]
    fn passes() {}

    #[llama_eval(
        model = "Llama-3.3-70B-Instruct",
        prompt = "dispatch probe verdict fail",
        assert(contains = "text the simulator never writes")
    )]
    #[ignore = "a probe for the dispatch driver tests; they run it in a child process"]
    fn fails_a_check() {}

    /// Forced to replay, with no fixture in the child's empty fixture root.
    #[llama_eval(
        model = "Llama-3.3-70B-Instruct",
        prompt = "dispatch probe verdict missing fixture",
        record = "replay"
    )]
    #[ignore = "a probe for the dispatch driver tests; they run it in a child process"]
    fn has_no_fixture() {}
}

const ALL_SUBJECTS: &[&str] = &[
    "dispatch probe hello_alpha",
    "dispatch probe hello_beta",
    "dispatch probe forecast for Paris",
    "dispatch probe forecast for Rome",
    "dispatch probe repeated",
    "dispatch probe repeated",
    "dispatch probe repeated",
];

async fn live(sim: &SimLlamaApi, args: &[&str]) -> Child {
    let child = run_child(sim, args, &[]).await;
    child.assert_all_passed();
    child
}

#[tokio::test(flavor = "multi_thread")]
async fn a_filter_sends_only_the_matching_tests_requests() {
    if dispatch_support::is_child() {
        return;
    }
    let sim = SimLlamaApi::start().await;
    let child = live(&sim, &["--ignored", "greetings::"]).await;
    assert_eq!(child.passed(), 2, "{child}");
    assert_eq!(
        sorted(chat_prompts(&sim)),
        expect(&[
            "dispatch probe follow-up of hello_alpha",
            "dispatch probe hello_alpha",
            "dispatch probe hello_beta",
        ])
    );

    // Two filters: a test matching either runs; repeat samples all go.
    sim.reset();
    let child = live(&sim, &["--ignored", "paris", "repeated"]).await;
    assert_eq!(child.passed(), 2, "{child}");
    assert_eq!(
        sorted(chat_prompts(&sim)),
        expect(&[
            "dispatch probe forecast for Paris",
            "dispatch probe repeated",
            "dispatch probe repeated",
            "dispatch probe repeated",
        ])
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn skip_and_exact_are_honoured() {
    if dispatch_support::is_child() {
        return;
    }
    let sim = SimLlamaApi::start().await;
    live(
        &sim,
        &["--ignored", "--skip", "alpha", "--skip", "verdicts"],
    )
    .await;
    assert_eq!(
        sorted(chat_prompts(&sim)),
        expect(&ALL_SUBJECTS[1..]),
        "--skip removes substring matches"
    );

    sim.reset();
    let args = [
        "--ignored",
        "--exact",
        "weather::forecast::case_2_rome",
        "greetings::hello_beta",
        "repeat",
    ];
    let child = live(&sim, &args).await;
    assert_eq!(child.passed(), 2, "`repeat` is no exact name: {child}");
    assert_eq!(
        sorted(chat_prompts(&sim)),
        expect(&[
            "dispatch probe forecast for Rome",
            "dispatch probe hello_beta"
        ])
    );

    sim.reset();
    let args = [
        "--ignored",
        "--exact",
        "--skip",
        "greetings",
        "--skip=weather::forecast::case_1_paris",
        "--skip",
        "verdicts::passes",
        "--skip",
        "verdicts::fails_a_check",
        "--skip",
        "verdicts::has_no_fixture",
    ];
    let child = live(&sim, &args).await;
    assert_eq!(
        child.passed(),
        4,
        "an exact skip removes only whole names: {child}"
    );
    assert_eq!(
        sorted(chat_prompts(&sim)),
        expect(&[
            "dispatch probe follow-up of hello_alpha",
            "dispatch probe forecast for Rome",
            "dispatch probe hello_alpha",
            "dispatch probe hello_beta",
            "dispatch probe repeated",
            "dispatch probe repeated",
            "dispatch probe repeated",
        ])
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn list_sends_nothing() {
    if dispatch_support::is_child() {
        return;
    }
    let sim = SimLlamaApi::start().await;
    let child = run_child(&sim, &["--ignored", "--list"], &[]).await;
    assert!(child.success, "{child}");
    assert!(
        child.stdout.contains("greetings::hello_alpha: test"),
        "{child}"
    );
    assert_eq!(sim.request_count(), 0);
    // Not running the ignored tests sends nothing either.
    let child = run_child(&sim, &["greetings"], &[]).await;
    assert!(child.success, "{child}");
    assert_eq!(sim.request_count(), 0);
}

/// With one test thread, the first test's body (its follow-up call) runs
/// only after its own answer came back; by then the dispatcher has sent
/// every other selected test's request (the later samples of `repeated`
/// follow its first, one at a time). Without the dispatcher the follow-up
/// comes second.
#[tokio::test(flavor = "multi_thread")]
async fn requests_of_all_selected_tests_go_out_ahead_of_the_test_threads() {
    if dispatch_support::is_child() {
        return;
    }
    let sim = SimLlamaApi::builder()
        .with_latency(Duration::from_millis(300))
        .start()
        .await;
    let args = ["--ignored", "--test-threads", "1", "--skip", "verdicts"];
    live(&sim, &args).await;
    let prompts = chat_prompts(&sim);
    let follow_up = prompts
        .iter()
        .position(|p| p.contains("follow-up"))
        .unwrap();
    let mut before: Vec<&str> = prompts[..follow_up].iter().map(String::as_str).collect();
    before.sort();
    before.dedup();
    let mut subjects = ALL_SUBJECTS.to_vec();
    subjects.sort();
    subjects.dedup();
    assert_eq!(before, subjects, "{prompts:#?}");
    assert_eq!(prompts.len(), ALL_SUBJECTS.len() + 1);

    for (var, value) in [("LLAMA_TEST_PREFETCH", "0"), ("NEXTEST", "1")] {
        sim.reset();
        let child = run_child(&sim, &args, &[(var, value)]).await;
        child.assert_all_passed();
        let prompts = chat_prompts(&sim);
        assert_eq!(
            prompts[..2],
            [
                "dispatch probe hello_alpha",
                "dispatch probe follow-up of hello_alpha"
            ],
            "{var}={value} sends each test's requests from its own thread"
        );
        assert_eq!(prompts.len(), ALL_SUBJECTS.len() + 1);
    }
}

/// A missing fixture, a failed check and a passing test, dispatched
/// together: each outcome is reported by its own test, errors as ERROR and
/// failed checks as FAIL.
#[tokio::test(flavor = "multi_thread")]
async fn each_outcome_lands_in_its_own_test() {
    if dispatch_support::is_child() {
        return;
    }
    let sim = SimLlamaApi::start().await;
    let child = run_child(&sim, &["--ignored", "verdicts"], &[]).await;
    assert!(!child.success, "{child}");
    assert_eq!(child.result_of("verdicts::passes"), Some("ok"), "{child}");
    assert_eq!(child.result_of("verdicts::fails_a_check"), Some("FAILED"));
    assert_eq!(child.result_of("verdicts::has_no_fixture"), Some("FAILED"));
    let failure = child.failure_of("verdicts::has_no_fixture");
    assert!(failure.contains("llama-test ERROR"), "{failure}");
    assert!(failure.contains("has no recording"), "{failure}");
    let failure = child.failure_of("verdicts::fails_a_check");
    assert!(failure.contains("llama-test FAIL"), "{failure}");
    // The replay-only test never reached the API.
    assert_eq!(
        sorted(chat_prompts(&sim)),
        expect(&["dispatch probe verdict fail", "dispatch probe verdict pass"])
    );
}

/// A request that fails for good (here: a wrong key) makes its test an
/// ERROR, not a failed check.
#[tokio::test(flavor = "multi_thread")]
async fn a_request_that_fails_for_good_is_an_error() {
    if dispatch_support::is_child() {
        return;
    }
    let sim = SimLlamaApi::start().await;
    let child = run_child(
        &sim,
        &["--ignored", "hello"],
        &[("LLAMA_API_KEY", "wrong-key")],
    )
    .await;
    for test in ["greetings::hello_alpha", "greetings::hello_beta"] {
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
/// every test passes because the dispatcher waits out `retry-after`.
#[tokio::test(flavor = "multi_thread")]
async fn a_429_storm_slows_the_run_down_instead_of_failing_tests() {
    if dispatch_support::is_child() {
        return;
    }
    let sim = SimLlamaApi::builder()
        .rate_limit_next(12, Duration::from_millis(300))
        .start()
        .await;
    let child = live(
        &sim,
        &["--ignored", "--skip", "verdicts", "--skip", "repeated"],
    )
    .await;
    assert_eq!(child.passed(), 4, "{child}");
    let answered = chat_prompts(&sim).len();
    assert_eq!(answered, 4 + 1 + 12, "4 subjects, 1 follow-up, 12 refusals");
}

/// Recorded through the dispatcher, replayed with and without it, offline.
#[tokio::test(flavor = "multi_thread")]
async fn recordings_made_by_the_dispatcher_replay_both_ways() {
    if dispatch_support::is_child() {
        return;
    }
    let sim = SimLlamaApi::start().await;
    let fixtures = tempfile::tempdir().unwrap();
    let dir = fixtures.path().to_str().unwrap();
    let args = ["--ignored", "--skip", "verdicts"];
    let record = [("LLAMA_TEST_MODE", "record"), ("LLAMA_TEST_FIXTURES", dir)];
    run_child(&sim, &args, &record).await.assert_all_passed();
    let recorded = sim.request_count();
    assert_eq!(recorded, ALL_SUBJECTS.len() + 1);
    let files = std::fs::read_dir(fixtures.path()).unwrap().count();
    assert_eq!(files, 5, "one fixture per test");

    for prefetch in ["1", "0"] {
        let replay = [
            ("LLAMA_TEST_MODE", "replay"),
            ("LLAMA_TEST_FIXTURES", dir),
            ("LLAMA_API_KEY", ""),
            ("LLAMA_TEST_PREFETCH", prefetch),
        ];
        let child = run_child(&sim, &args, &replay).await;
        child.assert_all_passed();
        assert_eq!(child.passed(), 5, "{child}");
    }
    assert_eq!(sim.request_count(), recorded, "replay never calls the API");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_bad_prefetch_setting_names_the_variable() {
    if dispatch_support::is_child() {
        return;
    }
    let sim = SimLlamaApi::start().await;
    let child = run_child(
        &sim,
        &["--ignored", "hello"],
        &[("LLAMA_TEST_PREFETCH", "maybe")],
    )
    .await;
    let failure = child.failure_of("greetings::hello_beta");
    assert!(
        failure.contains("LLAMA_TEST_PREFETCH is `maybe`"),
        "{child}"
    );
    assert_eq!(sim.request_count(), 0);
}
