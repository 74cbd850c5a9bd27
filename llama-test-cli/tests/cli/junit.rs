//! The JUnit report validates against the JUnit schema in `tests/data`
//! (with `xmllint` from Debian's `libxml2-utils`) and keeps failures and
//! errors apart.

use llama_test_cli::{Summary, junit, runs};

fn rendered() -> String {
    let dir = tempfile::tempdir().unwrap();
    let run = crate::support::write_run(
        dir.path(),
        "20261201-101530-cargo1",
        &crate::support::suite(),
    );
    junit::render(&Summary::new(runs::load_run(&run).unwrap())).unwrap()
}

#[test]
fn the_junit_report_validates_against_the_schema() {
    let xml = rendered();
    let Some(xmllint) = crate::support::tool("xmllint", "libxml2-utils") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("junit.xml");
    std::fs::write(&file, &xml).unwrap();
    let schema = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/junit.xsd");
    let out = std::process::Command::new(xmllint)
        .args(["--noout", "--schema", schema])
        .arg(&file)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}\n{xml}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn failures_and_errors_are_kept_apart_with_libtest_names() {
    let xml = rendered();
    assert!(
        xml.contains(r#"<testsuites name="llama-test run 20261201-101530-cargo1" tests="9" failures="1" errors="1""#),
        "{xml}"
    );
    assert!(
        xml.contains(
            r#"<testsuite name="demo::evals" tests="9" failures="1" errors="1" skipped="0""#
        ),
        "{xml}"
    );
    assert!(
        xml.contains(r#"<testcase classname="demo::evals" name="weather::nyc::m1" time="0."#),
        "{xml}"
    );
    assert!(
        xml.contains(r#"<failure message="FAIL contains: expected output to contain &quot;sunny&quot;, but it was not found" type="llama-test FAIL">"#),
        "{xml}"
    );
    assert!(
        xml.contains(
            r#"<error message="transport error: connection refused" type="llama-test ERROR">"#
        ),
        "{xml}"
    );
    // The answer, escaped, with the control character replaced.
    assert!(
        xml.contains("&lt;script&gt;alert(&#x27;x&#x27;)&lt;&#x2f;script&gt; &amp; &quot;quotes&quot; ]]&gt; \u{FFFD}bell"),
        "{xml}"
    );
    assert!(!xml.contains("<script>"));
}

#[test]
fn a_failed_sample_within_the_min_pass_gate_is_no_failure() {
    let mut records = Vec::new();
    for (i, verdict) in ["PASS", "FAIL", "PASS", "PASS"].into_iter().enumerate() {
        let mut r = crate::support::record("flaky::gate", "Llama-3.3-70B-Instruct", verdict, "x");
        r.repeat = 4;
        r.sample = i as u32;
        r.min_pass = Some(0.75);
        records.push(r);
    }
    let dir = tempfile::tempdir().unwrap();
    let run = crate::support::write_run(dir.path(), "r", &records);
    let xml = junit::render(&Summary::new(runs::load_run(&run).unwrap())).unwrap();
    assert!(
        xml.contains(r#"tests="4" failures="0" errors="0""#),
        "{xml}"
    );
    assert!(
        xml.contains(r#"name="flaky::gate (sample 2&#x2f;4)""#),
        "{xml}"
    );
    assert!(
        xml.contains("this sample failed, but the test passed its min_pass gate"),
        "{xml}"
    );
}
