//! The HTML report in a real browser: Debian's `chromium`, headless, dumps
//! the DOM after the page's script ran (`--dump-dom`), so the test sees the
//! matrix, a failing cell and what the "failed only" filter (from the URL:
//! `?failed=1`) hides; it also saves a screenshot under the target dir.

use std::path::Path;
use std::process::Command;

use llama_test_cli::{Summary, html, runs};

fn chromium(args: &[&str], page: &str) -> String {
    let chromium = crate::support::tool("chromium", "chromium").unwrap();
    let out = Command::new(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--no-first-run",
            "--hide-scrollbars",
            // No network: the report must not need it.
            "--proxy-server=127.0.0.1:9",
        ])
        .args(args)
        .arg(page)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "chromium failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn rows(dom: &str) -> Vec<&str> {
    dom.match_indices("<tr class=\"case\"")
        .map(|(i, _)| &dom[i..i + dom[i..].find('>').unwrap()])
        .collect()
}

#[test]
fn the_report_works_in_headless_chromium() {
    if crate::support::tool("chromium", "chromium").is_none() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let run = crate::support::write_run(
        dir.path(),
        "20261201-101530-cargo1",
        &crate::support::suite(),
    );
    let page = html::render(&Summary::new(runs::load_run(&run).unwrap())).unwrap();
    assert!(
        !page.contains("<script>alert"),
        "a model's answer became markup"
    );
    assert!(
        !page.contains("http://") && !page.contains("https://") || !page.contains("src=\"http")
    );
    let out = crate::support::target_dir()
        .join("llama-test")
        .join("browser-test");
    std::fs::create_dir_all(&out).unwrap();
    let file = out.join("report.html");
    std::fs::write(&file, &page).unwrap();
    let url = format!("file://{}", file.display());

    let dom = chromium(&["--dump-dom"], &url);
    assert_eq!(dom.matches("<td class=\"cell ").count(), 9, "{dom}");
    let failing = dom
        .split("<td class=\"cell FAIL\"")
        .nth(1)
        .expect("a failing cell");
    let text = &failing[failing.find("\">").unwrap()..failing.find("</a>").unwrap()];
    assert!(text.ends_with("FAIL 0.00"), "{text}");
    assert!(dom.contains("3 of 3 cases shown"), "the script ran");
    assert!(
        rows(&dom).iter().all(|r| !r.contains("hidden")),
        "{:?}",
        rows(&dom)
    );

    let filtered = chromium(&["--dump-dom"], &format!("{url}?failed=1"));
    let rows = rows(&filtered);
    assert_eq!(rows.len(), 3);
    for row in &rows {
        let passing = row.contains("data-outcome=\"PASS\"");
        assert_eq!(row.contains("hidden"), passing, "{row}");
    }
    assert!(
        rows.iter().any(|r| r.contains("data-outcome=\"PASS\"")),
        "{rows:?}"
    );
    assert!(filtered.contains("2 of 3 cases shown"));

    let by_model = chromium(&["--dump-dom"], &format!("{url}?model=0&q=paris"));
    assert!(
        by_model.contains("1 of 3 cases shown"),
        "search and model filter"
    );

    let shot = out.join("report.png");
    let _ = std::fs::remove_file(&shot);
    chromium(
        &[
            &format!("--screenshot={}", shot.display()),
            "--window-size=1400,1600",
        ],
        &url,
    );
    assert!(
        Path::new(&shot).is_file(),
        "no screenshot at {}",
        shot.display()
    );
    eprintln!("screenshot: {}", shot.display());
}
