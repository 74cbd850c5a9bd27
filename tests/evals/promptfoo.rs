//! The seed page's promptfoo YAML examples, unchanged, run as tests by
//! `promptfoo_suite!` (`cargo test promptfoo::`).

llama_test::promptfoo_suite!("tests/promptfoo/text-generation.yaml");
llama_test::promptfoo_suite!("tests/promptfoo/multimodal.yaml");
llama_test::promptfoo_suite!("tests/promptfoo/streaming.yaml");
llama_test::promptfoo_suite!("tests/promptfoo/json-structured-output.yaml");
llama_test::promptfoo_suite!("tests/promptfoo/tool-calling.yaml");

// Not from the seed: the other config forms (file prompts, CSV and YAML
// test files, file vars, JavaScript files, defaultTest, options.provider).
llama_test::promptfoo_suite!("tests/promptfoo/forms-csv.yaml");
llama_test::promptfoo_suite!("tests/promptfoo/forms-files.yaml");

// Not from the seed: a suite run as an agent loop, with the tools
// implemented in Rust (`crate::agent::weather_tools`); its `trajectory:*`
// assertions read the loop's steps.
llama_test::promptfoo_suite!(
    "tests/promptfoo/agent.yaml",
    agent(tools = crate::agent::weather_tools, max_steps = 4)
);
