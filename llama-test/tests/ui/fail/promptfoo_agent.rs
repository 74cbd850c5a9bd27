use llama_test::ToolRegistry;

fn registry() -> ToolRegistry {
    ToolRegistry::new()
}

fn not_a_registry() -> u32 {
    0
}

// A trajectory assertion in a suite of single calls: the error names the
// file and the test, and shows the `agent(...)` form.
llama_test::promptfoo_suite!("tests/ui/data/pf_trajectory.yaml");

// The loop needs the tools the model may call; an empty list is none.
llama_test::promptfoo_suite!("tests/ui/data/pf_no_tools.yaml", agent(tools = registry));
mod empty_tools {
    llama_test::promptfoo_suite!("tests/ui/data/pf_empty_tools.yaml", agent(tools = super::registry));
}

// Only `agent(...)` may follow the path, and it needs `tools`.
mod options {
    llama_test::promptfoo_suite!("tests/ui/data/pf_trajectory.yaml", agnt(tools = super::registry));
    llama_test::promptfoo_suite!("tests/ui/data/pf_trajectory.yaml", agent(max_steps = 2));
}

// `then_tool_choice` is a mode or a tool every provider declares.
mod then_choice {
    llama_test::promptfoo_suite!(
        "tests/ui/data/pf_trajectory.yaml",
        agent(tools = super::registry, then_tool_choice = "nnone")
    );
}

// A registry of the wrong type is a rustc error on the path.
mod wrong_type {
    llama_test::promptfoo_suite!(
        "tests/ui/data/pf_trajectory.yaml",
        agent(tools = super::not_a_registry)
    );
}

fn main() {}
