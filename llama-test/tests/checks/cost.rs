//! `max_cost`: the estimated cost of an answer against a budget in USD.

use crate::support::answer;
use llama_test::Usage;
use llama_test::checks::{Assertion, CheckInput, Verdict};
use llama_test::pricing::{Price, cost_of};
use llama_test::providers::ConfigFile;
use serde_json::json;

fn with_usage(prompt: u64, completion: u64) -> llama_test::Completion {
    let mut answer = answer("any answer");
    answer.usage = Some(Usage {
        prompt_tokens: prompt,
        completion_tokens: completion,
        total_tokens: prompt + completion,
    });
    answer
}

#[test]
fn the_cost_is_checked_against_the_budget() {
    let check = Assertion::parse("max_cost", json!(0.002), 1.0, None).unwrap();
    let completion = with_usage(1_000, 500);
    let price = Price {
        input: 1.0,
        output: 2.0,
    };
    let cost = price.cost(completion.usage.as_ref().unwrap());
    assert!((cost - 0.002).abs() < 1e-12);
    let at_budget = check.evaluate(&CheckInput::new(&completion).with_cost(Some(cost)));
    assert_eq!(at_budget.verdict, Verdict::Pass, "{at_budget}");
    let over = check.evaluate(&CheckInput::new(&completion).with_cost(Some(0.0021)));
    assert_eq!(over.verdict, Verdict::Fail);
    assert_eq!(
        over.reason,
        "expected output to cost at most $0.002, but it cost $0.002100 (1000 prompt + 500 completion tokens)"
    );
}

#[test]
fn an_unknown_cost_is_an_error_that_says_what_to_declare() {
    let check = Assertion::parse("max_cost", json!(1), 1.0, None).unwrap();
    let priced = with_usage(10, 10);
    let no_price = check.evaluate(&CheckInput::new(&priced));
    assert_eq!(no_price.verdict, Verdict::Error);
    assert!(no_price.reason.contains("price_in"), "{no_price}");
    let no_usage = check.evaluate(&CheckInput::new(&answer("x")).with_cost(None));
    assert_eq!(no_usage.verdict, Verdict::Error);
    assert!(no_usage.reason.contains("no token usage"), "{no_usage}");
}

#[test]
fn the_value_is_a_non_negative_number() {
    for bad in [json!(-1), json!("cheap"), json!(null)] {
        let e = Assertion::parse("max_cost", bad.clone(), 1.0, None).unwrap_err();
        assert!(e.to_string().contains("non-negative number"), "{bad}: {e}");
    }
    assert!(Assertion::parse("not_max_cost", json!(1), 1.0, None).is_err());
}

#[test]
fn builtin_prices_cover_the_hosts_that_publish_them() {
    let file = ConfigFile::default();
    let usage = Usage {
        prompt_tokens: 1_000_000,
        completion_tokens: 1_000_000,
        total_tokens: 2_000_000,
    };
    let cost = |id| cost_of(&file, id, Some(&usage));
    let groq = cost("groq:llama-3.3-70b-versatile").unwrap();
    assert!((groq - 1.38).abs() < 1e-9, "{groq}");
    assert_eq!(cost("ollama:chat:llama3.3"), Some(0.0));
    assert_eq!(
        cost("Llama-3.3-70B-Instruct"),
        None,
        "Meta published no prices"
    );
}
