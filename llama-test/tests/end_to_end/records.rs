//! Result records and the progress line, end to end: the probe evals are
//! `#[ignore]`d and run in child processes (see `child.rs`) against
//! the simulated Llama API, each writing into a run directory of its own.

use std::path::Path;
use std::time::{Duration, Instant};

use crate::child::{Child, SECRET_KEY, is_child, start_sim};
use llama_test::prelude::*;
use llama_test::records::{Record, read_run};
use llama_test::sim::{Reply, SimLlamaApi};

mod probes {
    use super::*;

    #[llama_eval(
        model = "Llama-3.3-8B-Instruct",
        prompt = "Say yes about {{topic}}",
        case(name = "ok", topic = "records"),
        assert(contains = "Simulated", max_tokens_used = 5000)
    )]
    #[ignore = "a probe for the driver tests below, which run it in a child process"]
    fn passes() {}

    #[llama_eval(
        model = "Llama-3.3-8B-Instruct",
        prompt = "fail probe",
        assert(contains = "nowhere in the answer")
    )]
    #[ignore = "a probe for the driver tests below, which run it in a child process"]
    fn fails() {}

    #[llama_eval(model = "Llama-3.3-8B-Instruct", prompt = "secret probe")]
    #[ignore = "a probe for the driver tests below, which run it in a child process"]
    fn echoes_a_secret() {}

    #[llama_eval(
        model = "Llama-3.3-8B-Instruct",
        prompt = "many samples",
        repeat = 400,
        min_pass = 0.5
    )]
    #[ignore = "a probe for the driver tests below, which run it in a child process"]
    fn many_samples() {}

    #[llama_eval(model = "Llama-3.3-70B-Instruct", prompt = "slow one")]
    #[ignore = "a probe for the driver tests below, which run it in a child process"]
    fn slow_1() {}

    #[llama_eval(model = "Llama-3.3-70B-Instruct", prompt = "slow two")]
    #[ignore = "a probe for the driver tests below, which run it in a child process"]
    fn slow_2() {}

    #[llama_eval(model = "Llama-3.3-70B-Instruct", prompt = "slow three")]
    #[ignore = "a probe for the driver tests below, which run it in a child process"]
    fn slow_3() {}
}

fn records_in(dir: &Path) -> Vec<Record> {
    let run = read_run(dir).unwrap();
    assert!(run.skipped.is_empty(), "{:?}", run.skipped);
    run.records
}

fn find<'a>(records: &'a [Record], test: &str) -> &'a Record {
    records
        .iter()
        .find(|r| r.test == test)
        .unwrap_or_else(|| panic!("no record of {test}"))
}

#[test]
fn every_sample_leaves_a_record_with_its_checks_tokens_and_outcome() {
    if is_child() {
        return;
    }
    let sim = start_sim();
    let run = tempfile::tempdir().unwrap();
    let child = Child::exact(&[
        "records::probes::passes::case_1_ok",
        "records::probes::fails",
    ])
    .live(&sim)
    .records(run.path())
    .run();
    child.assert_counts(1, 1);
    let records = records_in(run.path());
    assert_eq!(records.len(), 2, "{records:#?}");
    let passed = find(&records, "records::probes::passes::case_1_ok");
    assert_eq!(passed.verdict, "PASS");
    assert_eq!(passed.function, "records::probes::passes");
    assert_eq!(passed.case.as_deref(), Some("case_1_ok"));
    assert_eq!(passed.vars["topic"], "records");
    assert_eq!(passed.provider, "llamaapi");
    assert_eq!(passed.model, "Llama-3.3-8B-Instruct");
    assert_eq!(passed.mode, "live");
    assert_eq!(passed.messages[0].text, "Say yes about records");
    assert_eq!(passed.checks.len(), 2);
    assert!(passed.checks.iter().all(|c| c.verdict == "PASS"));
    assert!(passed.usage.is_some_and(|u| u.total > 0), "{passed:#?}");
    assert!(passed.latency_ms.is_some());
    assert!(passed.file.ends_with("records.rs") && passed.line > 0);
    assert_eq!(passed.binary, "end_to_end");
    assert_eq!(passed.pid, passed.pid.max(1));
    assert_eq!(
        passed.run_id,
        run.path().file_name().unwrap().to_str().unwrap()
    );
    let failed = find(&records, "records::probes::fails");
    assert_eq!(failed.verdict, "FAIL");
    assert_eq!(failed.checks[0].verdict, "FAIL");
    assert!(
        failed.checks[0].reason.contains("nowhere in the answer"),
        "{:?}",
        failed.checks
    );
    assert!(failed.answer_text().starts_with("Simulated answer"));
}

#[test]
fn an_eval_that_cannot_run_is_an_error_record() {
    if is_child() {
        return;
    }
    let run = tempfile::tempdir().unwrap();
    // Replay with an empty fixture root: no recording, an ERROR.
    let child = Child::exact(&["records::probes::fails"])
        .env("CI", "true")
        .records(run.path())
        .run();
    child.assert_counts(0, 1);
    let records = records_in(run.path());
    let errored = find(&records, "records::probes::fails");
    assert_eq!(errored.verdict, "ERROR");
    assert!(errored.answer.is_none());
    assert!(
        errored
            .message
            .as_deref()
            .unwrap_or_default()
            .contains("no recording"),
        "{errored:#?}"
    );
}

#[test]
fn records_never_hold_a_key() {
    if is_child() {
        return;
    }
    let sim = start_sim();
    sim.reply_next(Reply::text(format!(
        "my key is {SECRET_KEY}; header Authorization: Bearer abc.def-123"
    )));
    let run = tempfile::tempdir().unwrap();
    Child::exact(&["records::probes::echoes_a_secret"])
        .live(&sim)
        .records(run.path())
        .run()
        .assert_all_passed();
    let text: String = std::fs::read_dir(run.path())
        .unwrap()
        .map(|e| std::fs::read_to_string(e.unwrap().path()).unwrap())
        .collect();
    assert!(!text.contains(SECRET_KEY), "{text}");
    assert!(!text.contains("abc.def-123"), "{text}");
    let records = records_in(run.path());
    assert!(
        records[0].answer_text().contains("[REDACTED]"),
        "{:?}",
        records[0].answer
    );
}

#[test]
fn a_killed_run_leaves_only_whole_lines() {
    if is_child() {
        return;
    }
    let sim = start_sim();
    let run = tempfile::tempdir().unwrap();
    let mut child = Child::exact(&["records::probes::many_samples"])
        .live(&sim)
        .records(run.path())
        .spawn();
    let started = Instant::now();
    let lines = || -> usize {
        std::fs::read_dir(run.path())
            .map(|d| {
                d.filter_map(|e| std::fs::read_to_string(e.ok()?.path()).ok())
                    .map(|t| t.lines().count())
                    .sum()
            })
            .unwrap_or(0)
    };
    while lines() < 50 {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "the child wrote {} lines in a minute",
            lines()
        );
        std::thread::sleep(Duration::from_millis(5));
    }
    child.kill().unwrap(); // SIGKILL: no unwinding, no flush
    child.wait().unwrap();
    let written = lines();
    assert!(written < 400, "the child finished before it was killed");
    for entry in std::fs::read_dir(run.path()).unwrap() {
        let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
        assert!(text.ends_with('\n'), "a cut line at the end");
    }
    let records = records_in(run.path());
    assert_eq!(records.len(), written);
    let mut samples: Vec<u32> = records.iter().map(|r| r.sample).collect();
    samples.dedup();
    assert_eq!(samples, (0..written as u32).collect::<Vec<_>>());
}

fn slow_run(sim: &SimLlamaApi, progress: Option<&str>) -> crate::child::ChildRun {
    let child = Child::exact(&[
        "records::probes::slow_1",
        "records::probes::slow_2",
        "records::probes::slow_3",
    ])
    .live(sim);
    match progress {
        Some(value) => child.env("LLAMA_TEST_PROGRESS", value),
        None => child,
    }
    .run()
}

#[test]
fn a_live_run_shows_progress_on_stderr_and_a_replay_does_not() {
    if is_child() {
        return;
    }
    let sim = start_sim();
    sim.with_latency(Duration::from_millis(500));
    let live = slow_run(&sim, None);
    live.assert_all_passed();
    let progress: Vec<&str> = live
        .stderr
        .lines()
        .filter(|l| l.starts_with("llama-test: ") && l.contains("requests done"))
        .collect();
    assert!(!progress.is_empty(), "no progress line:\n{live}");
    assert!(
        progress.iter().any(|l| l.contains("/3 requests done")),
        "the total is known: {progress:?}"
    );
    assert!(
        progress
            .last()
            .unwrap()
            .contains("3/3 requests done, 0 in flight"),
        "{progress:?}"
    );
    let quiet = slow_run(&sim, Some("0"));
    quiet.assert_all_passed();
    assert!(!quiet.stderr.contains("requests done"), "{quiet}");

    let fixtures = tempfile::tempdir().unwrap();
    Child::exact(&[
        "records::probes::slow_1",
        "records::probes::slow_2",
        "records::probes::slow_3",
    ])
    .record(&sim)
    .fixtures(fixtures.path())
    .run()
    .assert_all_passed();
    let replay = Child::exact(&[
        "records::probes::slow_1",
        "records::probes::slow_2",
        "records::probes::slow_3",
    ])
    .replay_in_ci(None)
    .fixtures(fixtures.path())
    .run();
    replay.assert_all_passed();
    assert!(!replay.stderr.contains("requests done"), "{replay}");
}
