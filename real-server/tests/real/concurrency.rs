//! Concurrency: 64 evals recorded at once through the prefetch (it sends
//! every selected eval's request as soon as the first eval starts) against
//! a server with 4 slots, so 60 wait in llama.cpp's queue. All land, each
//! with its own answer, and replay reproduces every one.

use std::collections::BTreeSet;

use llama_test::prelude::*;

use crate::support::expected::same_output;
use crate::support::{fixture_file, recording, skip};

/// Cases named `case_01` ... `case_64`.
pub const COUNT: usize = 64;

#[llama_eval(
    model = "llamacpp:tiny",
    prompt = "Write the number {{n}} in words.",
    temperature = 0,
    max_tokens = 32,
    case(n = "1"),
    case(n = "2"),
    case(n = "3"),
    case(n = "4"),
    case(n = "5"),
    case(n = "6"),
    case(n = "7"),
    case(n = "8"),
    case(n = "9"),
    case(n = "10"),
    case(n = "11"),
    case(n = "12"),
    case(n = "13"),
    case(n = "14"),
    case(n = "15"),
    case(n = "16"),
    case(n = "17"),
    case(n = "18"),
    case(n = "19"),
    case(n = "20"),
    case(n = "21"),
    case(n = "22"),
    case(n = "23"),
    case(n = "24"),
    case(n = "25"),
    case(n = "26"),
    case(n = "27"),
    case(n = "28"),
    case(n = "29"),
    case(n = "30"),
    case(n = "31"),
    case(n = "32"),
    case(n = "33"),
    case(n = "34"),
    case(n = "35"),
    case(n = "36"),
    case(n = "37"),
    case(n = "38"),
    case(n = "39"),
    case(n = "40"),
    case(n = "41"),
    case(n = "42"),
    case(n = "43"),
    case(n = "44"),
    case(n = "45"),
    case(n = "46"),
    case(n = "47"),
    case(n = "48"),
    case(n = "49"),
    case(n = "50"),
    case(n = "51"),
    case(n = "52"),
    case(n = "53"),
    case(n = "54"),
    case(n = "55"),
    case(n = "56"),
    case(n = "57"),
    case(n = "58"),
    case(n = "59"),
    case(n = "60"),
    case(n = "61"),
    case(n = "62"),
    case(n = "63"),
    case(n = "64"),
    assert(stop_reason = "length", max_tokens_used = 200)
)]
fn count(out: Output) {
    let usage = out.usage().expect("usage");
    assert_eq!(usage.completion_tokens, 32);
    same_output(&out, "");
}

/// Every case has its fixture, holding its own prompt and a distinct answer.
#[test]
fn all_64_recordings_landed() {
    let test = "concurrency::all_64_recordings_landed";
    if recording() {
        return skip(
            test,
            "checks the recordings; runs on replay (this run is recording)",
        );
    }
    let mut ids = BTreeSet::new();
    for n in 1..=COUNT {
        let path = fixture_file(&format!("concurrency::count::case_{n:02}"));
        let text =
            std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let fixture: serde_json::Value = serde_json::from_str(&text).unwrap();
        let interactions = fixture["interactions"].as_array().unwrap();
        assert_eq!(interactions.len(), 1, "{}", path.display());
        let prompt = &interactions[0]["request"]["body"]["messages"][0]["content"];
        assert_eq!(prompt, &format!("Write the number {n} in words."));
        let response = &interactions[0]["response"];
        assert_eq!(response["status"], 200);
        ids.insert(response["body"]["json"]["id"].as_str().unwrap().to_owned());
    }
    assert_eq!(ids.len(), COUNT, "64 distinct answers");
}
