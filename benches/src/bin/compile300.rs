//! Issue 4 benchmark: compile time of a crate with 300 `#[llama_eval]`
//! tests vs. the same 300 written as plain `#[test]` fns that call the
//! runtime directly (`llama_test::__private::run` with a hand-written
//! `EvalSpec`; `tests/generated_forms.rs` checks the two declare the same
//! specs). Target: at most 1.5x.
//!
//! Issue 12 adds three crates: the same 300 evals as three promptfoo
//! configs run by `promptfoo_suite!` (with the body's checks as
//! `javascript` assertions), reported against the `#[llama_eval]` crate;
//! and those configs without the `javascript` assertions, built once
//! against llama-test's default features and once with
//! `default-features = false` (no QuickJS): what the JS engine costs a
//! suite that uses no javascript assertion.
//!
//! ```sh
//! cargo run --release -p llama-test-bench --bin compile300 [-- --runs 3 --count 300 --incremental]
//! # Issue 9: the release test crate of 3,000 evals, against the same
//! # 3,000 hand-written (target: at most 60 s).
//! cargo run --release -p llama-test-bench --bin compile300 -- --release --count 3000 --runs 1 --crates with_macro,hand_written
//! ```
//!
//! Both crates are generated in a temporary workspace that depends on this
//! checkout's `llama-test` by path and shares one target directory
//! (`<target>/compile300`, kept between invocations), so dependencies are
//! built once, untimed. Each timed run touches the crate's test file and
//! runs `cargo test --no-run --offline` for that crate alone, in the dev
//! profile (`--release`: the release profile), by default with
//! `CARGO_INCREMENTAL=0` (a full compile of the test crate, not an
//! incremental patch-up). `--crates` picks which crates are built; odd runs
//! build them in reverse order, so that none always runs on a warmer
//! machine.

use std::path::Path;
use std::process::{Command, ExitCode, Stdio};
use std::time::{Duration, Instant, SystemTime};

use llama_test_bench::cargo::{Result, cargo, target_dir, workspace_root};
use llama_test_bench::generate::{self, DEFAULT_COUNT};
use llama_test_bench::measure::Spread;
use llama_test_bench::promptfoo_yaml;

/// Issue 4's target for the macro crate's compile time relative to the
/// hand-written one.
const TARGET_RATIO: f64 = 1.5;
/// Issue 9's target for the release test crate of 3,000 evals, seconds.
const TARGET_RELEASE_3000_S: f64 = 60.0;
const MACRO_CRATE: &str = "with_macro";
const DIRECT_CRATE: &str = "hand_written";
/// The same checks without llama-test, for scale (not part of the ratio).
const FLOOR_CRATE: &str = "no_llama_test";
/// The 300 as promptfoo configs, `javascript` assertions included.
const PROMPTFOO_CRATE: &str = "promptfoo_yaml";
/// The configs without `javascript`, llama-test with default features.
const NO_JS_CRATE: &str = "promptfoo_no_js";
/// The same, llama-test with `default-features = false` (no JS engine).
const NO_ENGINE_CRATE: &str = "promptfoo_no_js_engine";
/// Every crate, in the order of the timing arrays.
const CRATES: [&str; 6] = [
    MACRO_CRATE,
    DIRECT_CRATE,
    FLOOR_CRATE,
    PROMPTFOO_CRATE,
    NO_JS_CRATE,
    NO_ENGINE_CRATE,
];

struct Options {
    runs: usize,
    count: usize,
    incremental: bool,
    /// `cargo test --release` instead of the dev profile.
    release: bool,
    /// Indices into [`CRATES`] of the crates to build, in that order.
    crates: Vec<usize>,
}

fn main() -> ExitCode {
    match parse_args().and_then(|options| bench(&options)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("compile300: {e}");
            ExitCode::FAILURE
        }
    }
}

fn parse_args() -> Result<Options> {
    let mut options = Options {
        runs: 3,
        count: DEFAULT_COUNT,
        incremental: false,
        release: false,
        crates: (0..CRATES.len()).collect(),
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--runs" => options.runs = args.next().ok_or("--runs needs a number")?.parse()?,
            "--count" => options.count = args.next().ok_or("--count needs a number")?.parse()?,
            "--incremental" => options.incremental = true,
            "--release" => options.release = true,
            "--crates" => {
                let list = args.next().ok_or("--crates needs a comma-separated list")?;
                options.crates.clear();
                for name in list.split(',').map(str::trim) {
                    let index = CRATES.iter().position(|c| *c == name).ok_or_else(|| {
                        format!(
                            "--crates: unknown crate `{name}`; known: {}",
                            CRATES.join(", ")
                        )
                    })?;
                    if options.crates.contains(&index) {
                        return Err(format!("--crates names `{name}` twice").into());
                    }
                    options.crates.push(index);
                }
            }
            other => {
                return Err(format!(
                    "unknown argument `{other}`; accepted: --runs N, --count N, --incremental, \
                     --release, --crates A,B"
                )
                .into());
            }
        }
    }
    if options.runs == 0 || options.count == 0 {
        return Err("--runs and --count must be at least 1".into());
    }
    Ok(options)
}

fn bench(options: &Options) -> Result<()> {
    let workspace = tempfile::tempdir()?;
    write_workspace(workspace.path(), options.count)?;
    let target = target_dir().join("compile300");
    let build = |packages: &[&str], quiet: bool| -> Result<Duration> {
        let mut command = cargo();
        command
            .current_dir(workspace.path())
            .args(["test", "--no-run", "--offline"])
            .args(options.release.then_some("--release"))
            .env("CARGO_TARGET_DIR", &target)
            .env(
                "CARGO_INCREMENTAL",
                if options.incremental { "1" } else { "0" },
            );
        for package in packages {
            command.args(["--package", package]);
        }
        timed(&mut command, quiet)
    };

    eprintln!(
        "building dependencies and every crate once (not timed) in {} ...",
        target.display()
    );
    // One at a time, so each gets the llama-test features it asks for
    // (building them together would unify them).
    for &index in &options.crates {
        build(&[CRATES[index]], false)?;
    }

    let mut times: [Vec<f64>; 6] = Default::default();
    for run in 0..options.runs {
        // Odd runs go in reverse, so that no crate always runs on a warmer
        // machine.
        let mut order = options.crates.clone();
        if run % 2 == 1 {
            order.reverse();
        }
        for index in order {
            let krate = CRATES[index];
            touch(&workspace.path().join(krate).join("tests/evals.rs"))?;
            let took = build(&[krate], true)?;
            eprintln!("run {}: {krate} {:.2} s", run + 1, took.as_secs_f64());
            times[index].push(took.as_secs_f64());
        }
    }

    let [with_macro, hand_written, floor, promptfoo, no_js, no_engine] = times.map(Spread::of);
    println!(
        "compile300: `cargo test --no-run{}` of a test crate with {} evals (1/3 text, 1/3 JSON schema, 1/3 tool call)",
        if options.release { " --release" } else { "" },
        options.count
    );
    println!(
        "{} profile, CARGO_INCREMENTAL={}, dependencies prebuilt, {} runs; seconds min / median / max:",
        if options.release { "release" } else { "dev" },
        u8::from(options.incremental),
        options.runs
    );
    let show = |label: &str, s: &Option<Spread>| {
        if let Some(s) = s {
            println!(
                "  {label:<46} {:.2} / {:.2} / {:.2}",
                s.min, s.median, s.max
            );
        }
    };
    show("#[llama_eval] tests", &with_macro);
    show(
        "plain #[test] + __private::run (hand-written)",
        &hand_written,
    );
    show("for scale: the checks without llama-test", &floor);
    show("promptfoo_suite!, 3 YAML configs, +javascript", &promptfoo);
    show("  the same without javascript assertions", &no_js);
    show("  ... and llama-test without the JS engine", &no_engine);
    let ratio =
        |a: &Option<Spread>, b: &Option<Spread>| Some(a.as_ref()?.median / b.as_ref()?.median);
    if let Some(ratio) = ratio(&with_macro, &hand_written) {
        println!(
            "ratio of medians: {ratio:.2}x (target <= {TARGET_RATIO}x: {})",
            if ratio <= TARGET_RATIO {
                "met"
            } else {
                "MISSED"
            }
        );
    }
    if let (true, 3000.., Some(with_macro)) = (options.release, options.count, &with_macro) {
        println!(
            "#[llama_eval] release compile: {:.1} s (target <= {TARGET_RELEASE_3000_S} s at 3,000 evals: {})",
            with_macro.median,
            if with_macro.median <= TARGET_RELEASE_3000_S {
                "met"
            } else {
                "MISSED"
            }
        );
    }
    if let Some(ratio) = ratio(&promptfoo, &with_macro) {
        println!("promptfoo YAML / #[llama_eval]: {ratio:.2}x");
    }
    if let Some(ratio) = ratio(&no_js, &no_engine) {
        println!("no-javascript suite, default features / without the JS engine: {ratio:.2}x");
    }
    Ok(())
}

/// A workspace with the two crates, resolving like this checkout (its
/// `Cargo.lock` is copied so `--offline` finds every version).
fn write_workspace(root: &Path, count: usize) -> Result<()> {
    let llama_test = workspace_root().join("llama-test");
    let members = CRATES.map(|c| format!("{c:?}")).join(", ");
    write(
        &root.join("Cargo.toml"),
        &format!("[workspace]\nmembers = [{members}]\nresolver = \"3\"\n"),
    )?;
    std::fs::copy(workspace_root().join("Cargo.lock"), root.join("Cargo.lock"))?;
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("data");
    let tools = std::fs::read_to_string(data.join("get_weather.json"))?;
    let schema = std::fs::read_to_string(data.join("product_review.json"))?;
    let yaml = |javascript| promptfoo_yaml::configs(count, &tools, &schema, javascript);
    let suite = promptfoo_yaml::suite_source("data");
    // (crate, test source, YAML configs, llama-test's default features)
    let crates = [
        (
            MACRO_CRATE,
            generate::llama_eval_source(count, "data", false),
            Vec::new(),
            true,
        ),
        (
            DIRECT_CRATE,
            generate::runtime_call_source(count, "data", false),
            Vec::new(),
            true,
        ),
        // Compiled, never run: the name of the recordings it would read
        // does not matter.
        (
            FLOOR_CRATE,
            generate::baseline_source(count, "evals"),
            Vec::new(),
            true,
        ),
        (PROMPTFOO_CRATE, suite.clone(), yaml(true), true),
        (NO_JS_CRATE, suite.clone(), yaml(false), true),
        (NO_ENGINE_CRATE, suite, yaml(false), false),
    ];
    for (name, source, configs, default_features) in crates {
        let dir = root.join(name);
        write(
            &dir.join("Cargo.toml"),
            &format!(
                "[package]\nname = \"{name}\"\nversion = \"0.0.0\"\nedition = \"2024\"\npublish = false\n\n\
                 [dev-dependencies]\nllama-test = {{ path = {:?}, default-features = {default_features} }}\nserde_json = \"1\"\n",
                llama_test.display().to_string()
            ),
        )?;
        write(&dir.join("src/lib.rs"), "//! Only the tests matter.\n")?;
        write(&dir.join("tests/evals.rs"), &source)?;
        for file in ["get_weather.json", "product_review.json"] {
            std::fs::create_dir_all(dir.join("data"))?;
            std::fs::copy(data.join(file), dir.join("data").join(file))?;
        }
        for (file, text) in configs {
            write(&dir.join("data").join(file), &text)?;
        }
    }
    Ok(())
}

fn write(path: &Path, text: &str) -> Result<()> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)?;
    }
    std::fs::write(path, text)?;
    Ok(())
}

/// Marks `path` as changed for cargo's fingerprint.
fn touch(path: &Path) -> Result<()> {
    std::fs::File::options()
        .write(true)
        .open(path)?
        .set_modified(SystemTime::now())?;
    Ok(())
}

/// Runs a cargo build and returns its wall time; fails with its output
/// when it fails. `quiet` captures the output instead of showing it.
fn timed(command: &mut Command, quiet: bool) -> Result<Duration> {
    if quiet {
        command.stdout(Stdio::piped()).stderr(Stdio::piped());
    } else {
        command.stdout(Stdio::inherit()).stderr(Stdio::inherit());
    }
    let started = Instant::now();
    let output = command.output()?;
    let took = started.elapsed();
    if !output.status.success() {
        return Err(format!(
            "cargo failed ({}):\n{}",
            output.status,
            String::from_utf8_lossy(&output.stderr)
        )
        .into());
    }
    Ok(took)
}
