//! The promptfoo configs `compile300` compiles hold the same evals as the
//! `#[llama_eval]` form: the same models, prompts and split, parsed by the
//! parser behind `promptfoo_suite!`.

use llama_test_bench::generate::{Kind, evals};
use llama_test_bench::promptfoo_yaml::configs;
use llama_test_core::promptfoo::{Rendered, instances, parse};

#[test]
fn the_configs_hold_the_300_evals() {
    let data = concat!(env!("CARGO_MANIFEST_DIR"), "/data");
    let tools = std::fs::read_to_string(format!("{data}/get_weather.json")).unwrap();
    let schema = std::fs::read_to_string(format!("{data}/product_review.json")).unwrap();
    let expected = evals(300);
    for javascript in [true, false] {
        let mut seen = Vec::new();
        for (file, yaml) in configs(300, &tools, &schema, javascript) {
            let suite = parse(&yaml, |p| Err(format!("no file {p}")))
                .unwrap_or_else(|e| panic!("{file}: {e}"));
            for i in instances(&suite).unwrap() {
                let Rendered::Text(prompt) = i.render().unwrap() else {
                    panic!("{file}: not a text prompt")
                };
                let js = i
                    .case
                    .checks
                    .iter()
                    .filter(|c| c.kind == "javascript")
                    .count();
                seen.push((
                    i.provider.id.clone(),
                    prompt,
                    js,
                    i.provider.tools.is_some(),
                    i.provider.json_schema.is_some(),
                ));
            }
        }
        assert_eq!(seen.len(), 300);
        for eval in &expected {
            let found = seen
                .iter()
                .find(|s| s.1 == eval.prompt())
                .unwrap_or_else(|| panic!("no case for {}", eval.name()));
            assert_eq!(found.0, format!("llamaapi:{}", eval.model()));
            assert_eq!(found.3, eval.kind == Kind::Tool, "{}", eval.name());
            assert_eq!(found.4, eval.kind == Kind::Json, "{}", eval.name());
            let js = usize::from(javascript && eval.kind != Kind::Text);
            assert_eq!(found.2, js, "{}", eval.name());
        }
    }
}
