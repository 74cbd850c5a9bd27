//! Issue 3 acceptance: 64 tests recording in parallel produce 64 valid
//! fixtures; a 5xx that outlasts the retries during a re-record leaves the
//! previous fixture untouched.
//!
//! The evals below are `#[ignore]`d: the driver tests run them in child
//! processes against the simulated Llama API (see `child.rs`).

use std::time::Duration;

use crate::child::{Child, SECRET_KEY, fixture_file, json_files, load_fixture, start_sim};
use llama_test::fixtures::hygiene;
use llama_test::prelude::*;
use llama_test::sim::Fault;

/// One eval with a case per number: 64 tests
/// `record_replay_parallel::parallel::case_01` ... `case_64`, each with its own fixture.
macro_rules! parallel_evals {
    ($($n:tt)*) => {
        #[llama_eval(
            model = "Llama-3.3-8B-Instruct",
            prompt = "Repeat after me: parallel recording {{n}}",
            $(case(n = $n),)*
            assert(contains = "parallel recording")
        )]
        #[ignore = "run in a child process by the driver test"]
        fn parallel() {}
    };
}

parallel_evals!(
    "01" "02" "03" "04" "05" "06" "07" "08" "09" "10" "11" "12" "13" "14" "15" "16"
    "17" "18" "19" "20" "21" "22" "23" "24" "25" "26" "27" "28" "29" "30" "31" "32"
    "33" "34" "35" "36" "37" "38" "39" "40" "41" "42" "43" "44" "45" "46" "47" "48"
    "49" "50" "51" "52" "53" "54" "55" "56" "57" "58" "59" "60" "61" "62" "63" "64"
);

#[llama_eval(
    model = "Llama-3.3-70B-Instruct",
    prompt = "Explain record and replay testing",
    assert(contains = "replay")
)]
#[ignore = "run in a child process by the driver test"]
fn rerecorded() {}

#[test]
fn sixty_four_tests_recording_in_parallel_write_sixty_four_valid_fixtures() {
    let sim = start_sim();
    // Answers take a while, so all 64 recordings are in flight together.
    sim.with_latency(Duration::from_millis(50));
    let fixtures = tempfile::tempdir().unwrap();
    Child::matching("record_replay_parallel::parallel::")
        .threads(64)
        .record(&sim)
        .fixtures(fixtures.path())
        .run()
        .assert_passed(64);
    assert_eq!(sim.request_count(), 64);

    let files = json_files(fixtures.path());
    assert_eq!(
        files.len(),
        64,
        "exactly the fixtures, no temp files: {files:?}"
    );
    for (number, (file_name, path)) in (1..=64).zip(&files) {
        let name = fixture_file(&format!(
            "record_replay_parallel::parallel::case_{number:02}"
        ));
        assert_eq!(file_name, &name);
        let fixture = load_fixture(path);
        assert_eq!(format!("{}.json", fixture.test), name);
        assert_eq!(fixture.interactions.len(), 1, "{name}");
        let interaction = &fixture.interactions[0];
        assert_eq!(interaction.response.status, 200, "{name}");
        // Each file holds its own test's exchange, not a neighbour's.
        let prompt = format!("Repeat after me: parallel recording {number:02}");
        assert_eq!(
            interaction.request.body["messages"][0]["content"],
            prompt.as_str(),
            "{name}"
        );
        let answer = serde_json::to_string(&interaction.response.body).unwrap();
        assert!(
            answer.contains(&format!("parallel recording {number:02}")),
            "{name}: {answer}"
        );
        assert_eq!(
            hygiene::check_file(path, Some(SECRET_KEY)).unwrap(),
            1,
            "{name}"
        );
    }

    // And all 64 replay offline.
    drop(sim);
    Child::matching("record_replay_parallel::parallel::")
        .replay_in_ci(None)
        .fixtures(fixtures.path())
        .run()
        .assert_passed(64);
}

#[test]
fn a_5xx_outlasting_the_retries_during_a_rerecord_leaves_the_old_fixture() {
    let sim = start_sim();
    let fixtures = tempfile::tempdir().unwrap();
    let path = fixtures
        .path()
        .join(fixture_file("record_replay_parallel::rerecorded"));
    let record = || {
        Child::exact(&["record_replay_parallel::rerecorded"])
            .record(&sim)
            .fixtures(fixtures.path())
            .run()
    };
    record().assert_passed(1);
    // Stamp the recording, so that any rewrite would show.
    let mut fixture = load_fixture(&path);
    fixture.interactions[0].recorded_on = "2001-02-03".into();
    std::fs::write(&path, fixture.to_json_text().unwrap()).unwrap();
    let before = std::fs::read(&path).unwrap();

    // Three 503s: the first attempt and both retries (the default budget).
    let fast = || Fault::status(503).with_retry_after_ms(Duration::from_millis(10));
    let sent = sim.request_count();
    sim.fail_next_with(3, fast());
    let failed = record();
    failed.assert_counts(0, 1);
    assert_eq!(sim.request_count() - sent, 3);
    let output = failed.all_output();
    assert!(output.contains("HTTP 503"), "{output}");
    assert!(output.contains("after 3 attempt(s)"), "{output}");
    assert_eq!(
        std::fs::read(&path).unwrap(),
        before,
        "the old fixture was rewritten"
    );
    assert_eq!(
        json_files(fixtures.path()).len(),
        1,
        "no temp file is left behind"
    );

    // The old recording still replays.
    Child::exact(&["record_replay_parallel::rerecorded"])
        .replay_in_ci(None)
        .fixtures(fixtures.path())
        .run()
        .assert_passed(1);

    // Control: 5xx within the retry budget, and the re-record replaces it.
    sim.fail_next_with(2, fast());
    record().assert_passed(1);
    let rewritten = load_fixture(&path);
    assert_ne!(rewritten.interactions[0].recorded_on, "2001-02-03");
    assert_eq!(rewritten.interactions.len(), 1);
}
