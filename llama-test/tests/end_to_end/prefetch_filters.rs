//! The suite-wide prefetch honours libtest's selection, tested the way
//! users run it: driver tests start the simulated Llama API and run this
//! same binary again as a child process with `--ignored` plus libtest
//! filters (see `child.rs`), then count which of the probes'
//! requests (`prefetch_probes`) reached the simulator.

use std::time::Duration;

use crate::child::{Child, ChildRun, is_child, start_sim, start_sim_with};
use crate::prefetch_probes::{ALL_SUBJECTS, PROBES, chat_prompts, expect, sorted};
use llama_test::sim::SimLlamaApi;

/// A live run of `args` against `sim` in which every selected test passes.
fn live(sim: &SimLlamaApi, args: &[&str]) -> ChildRun {
    let child = Child::new(args).live(sim).run();
    child.assert_all_passed();
    child
}

#[test]
fn a_filter_sends_only_the_matching_tests_requests() {
    if is_child() {
        return;
    }
    let sim = start_sim();
    let child = live(&sim, &["--ignored", "prefetch_probes::greetings::"]);
    assert_eq!(child.passed(), 2, "{child}");
    assert_eq!(
        sorted(chat_prompts(&sim)),
        expect(&[
            "prefetch probe follow-up of hello_alpha",
            "prefetch probe hello_alpha",
            "prefetch probe hello_beta",
        ])
    );

    // Two filters: a test matching either runs; repeat samples all go.
    sim.reset();
    let child = live(
        &sim,
        &[
            "--ignored",
            "prefetch_probes::weather::forecast::case_1_p",
            "prefetch_probes::repeated",
        ],
    );
    assert_eq!(child.passed(), 2, "{child}");
    assert_eq!(
        sorted(chat_prompts(&sim)),
        expect(&[
            "prefetch probe forecast for Paris",
            "prefetch probe repeated",
            "prefetch probe repeated",
            "prefetch probe repeated",
        ])
    );
}

#[test]
fn skip_and_exact_are_honoured() {
    if is_child() {
        return;
    }
    let sim = start_sim();
    live(
        &sim,
        &["--ignored", PROBES, "--skip", "alpha", "--skip", "verdicts"],
    );
    assert_eq!(
        sorted(chat_prompts(&sim)),
        expect(&ALL_SUBJECTS[1..]),
        "--skip removes substring matches"
    );

    sim.reset();
    let args = [
        "--ignored",
        "--exact",
        "prefetch_probes::weather::forecast::case_2_rome",
        "prefetch_probes::greetings::hello_beta",
        "repeat",
    ];
    let child = live(&sim, &args);
    assert_eq!(child.passed(), 2, "`repeat` is no exact name: {child}");
    assert_eq!(
        sorted(chat_prompts(&sim)),
        expect(&[
            "prefetch probe forecast for Rome",
            "prefetch probe hello_beta"
        ])
    );

    sim.reset();
    let args = [
        "--ignored",
        "--exact",
        "prefetch_probes::greetings::hello_alpha",
        "prefetch_probes::greetings::hello_beta",
        "prefetch_probes::weather::forecast::case_1_paris",
        "prefetch_probes::weather::forecast::case_2_rome",
        "prefetch_probes::repeated",
        "prefetch_probes::verdicts::passes",
        "prefetch_probes::verdicts::fails_a_check",
        "prefetch_probes::verdicts::has_no_fixture",
        "--skip",
        "greetings",
        "--skip=prefetch_probes::weather::forecast::case_1_paris",
        "--skip",
        "prefetch_probes::verdicts::passes",
        "--skip",
        "prefetch_probes::verdicts::fails_a_check",
        "--skip",
        "prefetch_probes::verdicts::has_no_fixture",
    ];
    let child = live(&sim, &args);
    assert_eq!(
        child.passed(),
        4,
        "an exact skip removes only whole names: {child}"
    );
    assert_eq!(
        sorted(chat_prompts(&sim)),
        expect(&[
            "prefetch probe follow-up of hello_alpha",
            "prefetch probe forecast for Rome",
            "prefetch probe hello_alpha",
            "prefetch probe hello_beta",
            "prefetch probe repeated",
            "prefetch probe repeated",
            "prefetch probe repeated",
        ])
    );
}

#[test]
fn list_sends_nothing() {
    if is_child() {
        return;
    }
    let sim = start_sim();
    let child = Child::new(&["--ignored", "--list", PROBES])
        .live(&sim)
        .run();
    assert!(child.success, "{child}");
    assert!(
        child
            .stdout
            .contains("prefetch_probes::greetings::hello_alpha: test"),
        "{child}"
    );
    assert_eq!(sim.request_count(), 0);
    // Not running the ignored tests sends nothing either.
    let child = Child::new(&["prefetch_probes::greetings"]).live(&sim).run();
    assert!(child.success, "{child}");
    assert_eq!(sim.request_count(), 0);
}

/// With one test thread, the first test's body (its follow-up call) runs
/// only after its own answer came back; by then the prefetch has sent
/// every other selected test's request (the later samples of `repeated`
/// follow its first, one at a time). Without the prefetch the follow-up
/// comes second.
#[test]
fn requests_of_all_selected_tests_go_out_ahead_of_the_test_threads() {
    if is_child() {
        return;
    }
    let sim = start_sim_with(SimLlamaApi::builder().with_latency(Duration::from_millis(300)));
    let args = [
        "--ignored",
        PROBES,
        "--test-threads",
        "1",
        "--skip",
        "verdicts",
    ];
    live(&sim, &args);
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
        let child = Child::new(&args).live(&sim).env(var, value).run();
        child.assert_all_passed();
        let prompts = chat_prompts(&sim);
        assert_eq!(
            prompts[..2],
            [
                "prefetch probe hello_alpha",
                "prefetch probe follow-up of hello_alpha"
            ],
            "{var}={value} sends each test's requests from its own thread"
        );
        assert_eq!(prompts.len(), ALL_SUBJECTS.len() + 1);
    }
}
