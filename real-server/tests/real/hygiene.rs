//! No fixture or expected output holds the key, an `Authorization` header,
//! a bearer token or a local path (the server's model file, the cache).

use std::path::Path;

use crate::support::{KEY_ENV, fixture_root, manifest_dir};

/// Substrings that must never be committed (compared lowercased).
const FORBIDDEN: &[&str] = &[
    "authorization",
    "/root/",
    "/home/",
    "/tmp/",
    "/.cache/",
    ".gguf",
];

/// Panics naming `path` if `text` holds a secret or a local path.
pub fn assert_clean(path: &Path, text: &str) {
    let lower = text.to_lowercase();
    for needle in FORBIDDEN {
        assert!(
            !lower.contains(needle),
            "{} contains `{needle}`",
            path.display()
        );
    }
    if let Some(hit) = llama_test::fixtures::secrets::scan_text(text, None) {
        panic!("{}: {hit}", path.display());
    }
    if let Ok(key) = std::env::var(KEY_ENV)
        && key.len() >= 8
    {
        assert!(!text.contains(&key), "{} holds {KEY_ENV}", path.display());
    }
}

#[test]
fn committed_files_hold_no_key_path_or_authorization() {
    let mut checked = 0;
    for dir in [fixture_root(), manifest_dir().join("expected")] {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "json") {
                assert_clean(&path, &std::fs::read_to_string(&path).unwrap());
                checked += 1;
            }
        }
    }
    assert!(
        checked > 0 || crate::support::recording(),
        "no fixtures found"
    );
}

/// The library's own check (`llama-test-fixtures check`) agrees.
#[test]
fn fixtures_pass_the_library_check() {
    let root = fixture_root();
    let Ok(files) = llama_test::fixtures::hygiene::fixture_files(&root) else {
        return;
    };
    for file in files {
        llama_test::fixtures::hygiene::check_file(&file, std::env::var(KEY_ENV).ok().as_deref())
            .unwrap_or_else(|e| panic!("{}: {e}", file.display()));
    }
}
