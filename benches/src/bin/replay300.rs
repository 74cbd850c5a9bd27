//! Issue 3 benchmark: replay 300 recorded evals (a third each text +
//! `contains`, JSON schema, tool call) through the real test path, and
//! print wall time and peak memory of the test binary's run.
//!
//! ```sh
//! cargo run --release -p llama-test-bench --bin replay300 [-- --runs 5 --count 3000 --debug --threads N]
//! ```
//!
//! 1. builds `tests/evals300.rs` (300 `#[llama_eval]` tests) and
//!    `tests/plain300.rs` (the baseline) with `cargo test --no-run`, in the
//!    release profile unless `--debug`; the build is not timed;
//! 2. records the 300 evals once against the simulated Llama API into a
//!    temporary fixture directory;
//! 3. runs the test binary in replay mode (`CI=true`, no key) `--runs`
//!    times with result records off and `--runs` times with them on
//!    (alternating), measuring each run (wall time, CPU, peak RSS of that
//!    process), checks each records-on run left 300 whole records, and
//!    prints the on/off ratio (issue 13: at most 1.2x); then replays the
//!    300 as two concurrent processes into one run directory and checks the
//!    records again;
//! 4. runs two baselines the same way: the same checks as 300 plain
//!    `#[test]` fns over the recorded JSON, and the eval binary's `--list`
//!    (process start-up and test registration alone).

use std::process::ExitCode;

use llama_test::sim::SimLlamaApi;
use llama_test_bench::cargo::{Result, build_bench_tests_of, test_binary};
use llama_test_bench::generate::DEFAULT_COUNT;
use llama_test_bench::measure::{self, Measured, Spread};

/// Issue 3's targets for the test binary's run on a 2-core machine.
const TARGET_WALL_S: f64 = 0.35;
const TARGET_RSS_MIB: f64 = 50.0;
/// Issue 13: replay with result records on within this factor of off.
const TARGET_RECORDS_RATIO: f64 = 1.2;
/// Issue 9's targets for 3,000 evals.
const TARGET_3000_WALL_S: f64 = 1.2;
const TARGET_3000_RSS_MIB: f64 = 120.0;

struct Options {
    runs: usize,
    release: bool,
    threads: Option<usize>,
    count: usize,
}

fn main() -> ExitCode {
    match parse_args().and_then(|options| bench(&options)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("replay300: {e}");
            ExitCode::FAILURE
        }
    }
}

fn parse_args() -> Result<Options> {
    let mut options = Options {
        runs: 5,
        release: true,
        threads: None,
        count: DEFAULT_COUNT,
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--runs" => options.runs = args.next().ok_or("--runs needs a number")?.parse()?,
            "--threads" => {
                options.threads = Some(args.next().ok_or("--threads needs a number")?.parse()?)
            }
            "--count" => options.count = args.next().ok_or("--count needs a number")?.parse()?,
            "--debug" => options.release = false,
            other => {
                return Err(format!(
                    "unknown argument `{other}`; accepted: --runs N, --count N, --threads N, --debug"
                )
                .into());
            }
        }
    }
    if options.runs == 0 || options.count < 3 {
        return Err("--runs must be at least 1 and --count at least 3".into());
    }
    Ok(options)
}

fn bench(options: &Options) -> Result<()> {
    let profile = if options.release { "release" } else { "debug" };
    eprintln!("building the test binaries ({profile} profile; not timed) ...");
    let count = options.count;
    let exes = build_bench_tests_of(options.release, &["evals300", "plain300"], count)?;
    let (evals, plain) = (&exes["evals300"], &exes["plain300"]);
    let fixtures = tempfile::tempdir()?;
    let threads = format!(
        "--test-threads={}",
        options.threads.unwrap_or_else(default_threads)
    );

    let sim = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?
        .block_on(SimLlamaApi::start());
    let recording = measure::run(
        test_binary(evals)
            .args(["--ignored", &threads])
            .env("LLAMA_TEST_MODE", "record")
            .env("LLAMA_TEST_RECORDS", "0")
            .env("LLAMA_API_BASE_URL", sim.uri())
            .env("LLAMA_API_KEY", sim.api_key())
            .env("LLAMA_TEST_FIXTURES", fixtures.path()),
    )?;
    check(&recording, "recording", count)?;
    let written = std::fs::read_dir(fixtures.path())?.count();
    if written != count || sim.request_count() != count {
        return Err(format!(
            "recording wrote {written} fixtures with {} requests; expected {count}",
            sim.request_count()
        )
        .into());
    }
    drop(sim);

    // Result records (issue 13) off and on, alternating so that both see
    // the same machine noise; each records-on run gets a fresh run dir.
    let run_dirs = tempfile::tempdir()?;
    let mut replay = Vec::new();
    let mut with_records = Vec::new();
    for i in 0..options.runs {
        replay.extend(repeat(1, count, "replay", || {
            measure::run(
                test_binary(evals)
                    .args(["--ignored", &threads])
                    .env("CI", "true")
                    .env("LLAMA_TEST_RECORDS", "0")
                    .env("LLAMA_TEST_FIXTURES", fixtures.path()),
            )
        })?);
        let run_dir = run_dirs.path().join(format!("run-{i}"));
        with_records.extend(repeat(1, count, "replay with records", || {
            measure::run(
                test_binary(evals)
                    .args(["--ignored", &threads])
                    .env("CI", "true")
                    .env("LLAMA_TEST_RUN_DIR", &run_dir)
                    .env("LLAMA_TEST_FIXTURES", fixtures.path()),
            )
        })?);
        check_records(&run_dir, count)?;
    }
    let split =
        records_from_two_processes(evals, fixtures.path(), run_dirs.path(), &threads, count)?;
    let baseline = repeat(options.runs, count, "baseline", || {
        measure::run(
            test_binary(plain)
                .args(["--ignored", &threads])
                .env("LLAMA_TEST_FIXTURES", fixtures.path()),
        )
    })?;
    let listing = repeat(options.runs, count, "--list", || {
        measure::run(test_binary(evals).args(["--list", "--ignored"]))
    })?;

    println!(
        "replay300: {count} #[llama_eval] tests (1/3 text + contains, 1/3 JSON schema, 1/3 tool call)"
    );
    println!(
        "test binary: {} ({profile} profile, {threads})",
        evals.display()
    );
    println!(
        "recording once against the simulated API: {:.2} s, {written} fixtures",
        recording.wall.as_secs_f64()
    );
    println!(
        "{} runs each; wall and CPU in s (min / median / max), peak RSS in MiB (max):",
        options.runs
    );
    report("replay, CI=true, no key, records off", &replay);
    report("replay, records on (issue 13)", &with_records);
    report(
        &format!("baseline: {count} plain #[test] on the JSON"),
        &baseline,
    );
    report("baseline: evals300 --list", &listing);
    let wall = median_wall(&replay);
    let rss = replay.iter().map(Measured::max_rss_mib).fold(0.0, f64::max);
    let verdict = |ok: bool| if ok { "met" } else { "MISSED" };
    let (target_wall, target_rss) = if count >= 3000 {
        (TARGET_3000_WALL_S, TARGET_3000_RSS_MIB)
    } else {
        (TARGET_WALL_S, TARGET_RSS_MIB)
    };
    println!(
        "target (2 cores): <= {target_wall} s wall: {} (median {wall:.3} s); <= {target_rss} MiB: {} ({rss:.1} MiB)",
        verdict(wall <= target_wall),
        verdict(rss <= target_rss),
    );
    let ratio = median_wall(&with_records) / wall.max(f64::EPSILON);
    println!(
        "records on / off (median wall): {ratio:.3}x; target <= {TARGET_RECORDS_RATIO}x: {}",
        verdict(ratio <= TARGET_RECORDS_RATIO)
    );
    println!(
        "records from two concurrent processes into one run dir: {split} whole records, all parsed"
    );
    if count == DEFAULT_COUNT {
        println!("for comparison, promptfoo with its cache: 7.3 s, 286 MiB for the same 300");
    }
    Ok(())
}

/// Every line of `run_dir` is a whole record, `expected` of them, one per
/// test.
fn check_records(run_dir: &std::path::Path, expected: usize) -> Result<()> {
    let run = llama_test::records::read_run(run_dir)?;
    let mut tests: Vec<&str> = run.records.iter().map(|r| r.test.as_str()).collect();
    tests.sort_unstable();
    tests.dedup();
    if !run.skipped.is_empty() || run.records.len() != expected || tests.len() != expected {
        return Err(format!(
            "{}: {} records of {} tests (expected {expected}); skipped lines: {:?}",
            run_dir.display(),
            run.records.len(),
            tests.len(),
            run.skipped
        )
        .into());
    }
    Ok(())
}

/// Runs the 300 evals as two test processes at once (text and JSON evals
/// in one, tool-call evals in the other) writing one run directory, as the
/// binaries of one `cargo test` or the processes of nextest do, and checks
/// that the records are complete.
fn records_from_two_processes(
    evals: &std::path::Path,
    fixtures: &std::path::Path,
    runs: &std::path::Path,
    threads: &str,
    count: usize,
) -> Result<usize> {
    let run_dir = runs.join("two-processes");
    let spawn = |filters: &[&str]| {
        test_binary(evals)
            .args(["--ignored", threads])
            .args(filters)
            .env("CI", "true")
            .env("LLAMA_TEST_RUN_DIR", &run_dir)
            .env("LLAMA_TEST_FIXTURES", fixtures)
            .stdout(std::process::Stdio::null())
            .spawn()
    };
    let mut first = spawn(&["text_", "json_"])?;
    let mut second = spawn(&["tool_"])?;
    if !(first.wait()?.success() && second.wait()?.success()) {
        return Err("a process of the two-process replay failed".into());
    }
    check_records(&run_dir, count)?;
    let files = std::fs::read_dir(&run_dir)?.count();
    if files != 2 {
        return Err(format!("expected one records file per process, found {files}").into());
    }
    Ok(count)
}

/// libtest's default: the available parallelism.
fn default_threads() -> usize {
    std::thread::available_parallelism().map_or(1, usize::from)
}

fn repeat(
    runs: usize,
    count: usize,
    what: &str,
    mut run: impl FnMut() -> std::io::Result<Measured>,
) -> Result<Vec<Measured>> {
    (0..runs)
        .map(|_| {
            let measured = run()?;
            check(&measured, what, count)?;
            Ok(measured)
        })
        .collect()
}

/// A run counts only when every test passed (`--list` prints no summary).
fn check(run: &Measured, what: &str, count: usize) -> Result<()> {
    let all_passed = run.passed().is_none_or(|n| n == count);
    if run.success && all_passed {
        return Ok(());
    }
    let tail: Vec<&str> = run.stdout.lines().rev().take(30).collect();
    Err(format!(
        "the {what} run failed (passed: {:?}):\n{}\n{}",
        run.passed(),
        tail.into_iter().rev().collect::<Vec<_>>().join("\n"),
        run.stderr
    )
    .into())
}

fn median_wall(runs: &[Measured]) -> f64 {
    Spread::of(runs.iter().map(|r| r.wall.as_secs_f64())).map_or(0.0, |s| s.median)
}

fn report(label: &str, runs: &[Measured]) {
    let spread = |f: fn(&Measured) -> f64| Spread::of(runs.iter().map(f));
    let (Some(wall), Some(cpu)) = (
        spread(|r| r.wall.as_secs_f64()),
        spread(|r| r.cpu.as_secs_f64()),
    ) else {
        return;
    };
    let rss = runs.iter().map(Measured::max_rss_mib).fold(0.0, f64::max);
    println!(
        "  {label:<42} wall {:.3} / {:.3} / {:.3}   cpu {:.3} / {:.3} / {:.3}   peak RSS {rss:.1}",
        wall.min, wall.median, wall.max, cpu.min, cpu.median, cpu.max
    );
}
