//! Issue 15: the agent loop against the simulated API, recorded and
//! replayed. The evals are `#[ignore]`d and run in child processes by the
//! driver tests below; the parent's simulator scripts the model's turns.

use crate::child::{Child, fixture_file, load_fixture, start_sim};
use llama_test::prelude::*;
use llama_test::sim::{ChatCall, Reply, SimLlamaApi};
use serde_json::{Value, json};

const TOOLS: &str = "tests/end_to_end/data/agent_tools.json";

/// The temperature `get_weather` reports; a driver changes it to simulate
/// a changed tool implementation.
async fn get_weather(args: Value) -> Result<Value, String> {
    let temperature: i64 = std::env::var("AGENT_TEST_TEMPERATURE")
        .ok()
        .and_then(|t| t.parse().ok())
        .unwrap_or(21);
    Ok(json!({"location": args["location"], "temperature": temperature}))
}

async fn search_hotels(args: Value) -> Result<Value, String> {
    Ok(json!({"city": args["city"], "hotels": [{"id": "h1", "name": "Albergo Roma"}]}))
}

async fn book_hotel(args: Value) -> Result<Value, String> {
    if args["hotel_id"] == "h1" {
        Ok(json!({"confirmation": "BK-1"}))
    } else {
        Err(format!("unknown hotel {}", args["hotel_id"]))
    }
}

fn agent(prompt: &str) -> Eval {
    let tools: Value = serde_json::from_str(&std::fs::read_to_string(TOOLS).unwrap()).unwrap();
    Eval::new("Llama-3.3-70B-Instruct")
        .tools_json(&tools)
        .tool("get_weather", get_weather)
        .tool("search_hotels", search_hotels)
        .tool("book_hotel", book_hotel)
        .prompt(prompt)
}

#[llama_eval(model = "Llama-3.3-70B-Instruct", prompt = "unused")]
#[ignore = "run in a child process by the driver tests"]
async fn two_step_loop() {
    let out = agent("agent: weather in Paris")
        .max_steps(4)
        .run_agent()
        .await;
    out.assert_tool_used("get_weather");
    out.assert_tool_sequence(&["get_weather"]);
    out.assert_tool_args_match("get_weather", json!({"location": "Paris"}));
    out.assert_max_steps(1);
    out.assert_no_repeated_call();
    out.assert_tool_call_f1(&[("get_weather", Value::Null)], 1.0);
    out.assert_contains("temperature");
    let t = out.trajectory().unwrap();
    assert_eq!(t.turns, 2);
    assert_eq!(
        t.steps[0].result,
        Ok(json!({"location": "Paris", "temperature": 21}))
    );
}

#[llama_eval(model = "Llama-3.3-70B-Instruct", prompt = "unused")]
#[ignore = "run in a child process by the driver tests"]
async fn parallel_calls() {
    let out = agent("agent: parallel weather").run_agent().await;
    let t = out.trajectory().unwrap();
    assert_eq!(t.turns, 2);
    assert_eq!(t.steps.len(), 2);
    assert!(t.steps.iter().all(|s| s.turn == 0));
    out.assert_tool_sequence(&["get_weather", "get_weather"]);
    out.assert_tool_args_match("get_weather", json!({"location": "Rome"}));
    out.assert_no_repeated_call();
    out.assert_contains("Paris");
    out.assert_contains("Rome");
}

#[llama_eval(model = "Llama-3.3-70B-Instruct", prompt = "unused")]
#[ignore = "run in a child process by the driver tests"]
async fn schema_invalid_call_is_fed_back() {
    let out = agent("agent: invalid then valid").run_agent().await;
    let t = out.trajectory().unwrap();
    assert_eq!(t.steps.len(), 2);
    let error = t.steps[0].result.as_ref().unwrap_err();
    assert!(error.contains("do not match the schema"), "{error}");
    assert!(t.steps[1].result.is_ok());
    // The model saw the error: the simulator echoes the tool messages.
    out.assert_contains("do not match the schema");
}

#[llama_eval(model = "Llama-3.3-70B-Instruct", prompt = "unused")]
#[ignore = "run in a child process by the driver tests"]
async fn step_limit_fails() {
    agent("agent: loop forever").max_steps(3).run_agent().await;
}

#[llama_eval(model = "Llama-3.3-70B-Instruct", prompt = "unused")]
#[ignore = "run in a child process by the driver tests"]
async fn search_then_book() {
    let out = agent("agent: search then book").run_agent().await;
    out.assert_tool_sequence(&["search_hotels", "book_hotel"]);
    out.assert_tool_args_match("book_hotel", json!({"hotel_id": "h1"}));
    out.assert_contains("BK-1");
}

#[llama_eval(model = "Llama-3.3-70B-Instruct", prompt = "unused")]
#[ignore = "run in a child process by the driver tests"]
async fn wrong_sequence_fails() {
    let out = agent("agent: search then book").run_agent().await;
    out.assert_tool_sequence(&["book_hotel", "search_hotels"]);
}

#[llama_eval(model = "Llama-3.3-70B-Instruct", prompt = "unused")]
#[ignore = "run in a child process by the driver tests"]
async fn repeated_call_fails() {
    let out = agent("agent: loop forever")
        .max_steps(3)
        .try_run_agent()
        .await
        .unwrap();
    out.assert_no_repeated_call();
}

fn tool_messages(call: &ChatCall) -> Vec<String> {
    call.messages()
        .iter()
        .filter(|m| m["role"] == "tool")
        .map(|m| match &m["content"] {
            Value::String(s) => s.clone(),
            Value::Object(o) => o
                .get("text")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_owned(),
            Value::Array(parts) => parts
                .iter()
                .filter_map(|p| p["text"].as_str())
                .collect::<Vec<_>>()
                .join(" "),
            other => other.to_string(),
        })
        .collect()
}

/// The scripted model: calls by prompt and by how many tool results it has.
fn scripted_model(call: &ChatCall) -> Option<Reply> {
    let user = call.last_user_text();
    if !user.starts_with("agent:") {
        return None;
    }
    let results = tool_messages(call);
    let answer = || Reply::text(format!("From the tools: {}", results.join(" | ")));
    let paris = json!({"location": "Paris"});
    Some(match (user.as_str(), results.len()) {
        ("agent: weather in Paris", 0) => Reply::tool_call("get_weather", &paris),
        ("agent: parallel weather", 0) => Reply::tool_calls([
            ("get_weather", paris.clone()),
            ("get_weather", json!({"location": "Rome"})),
        ]),
        ("agent: invalid then valid", 0) => Reply::tool_call("get_weather", &json!({"city": 3})),
        ("agent: invalid then valid", 1) => Reply::tool_call("get_weather", &paris),
        ("agent: loop forever", _) => Reply::tool_call("get_weather", &paris),
        ("agent: search then book", 0) => {
            Reply::tool_call("search_hotels", &json!({"city": "Rome"}))
        }
        ("agent: search then book", 1) => {
            Reply::tool_call("book_hotel", &json!({"hotel_id": "h1", "nights": 2}))
        }
        _ => answer(),
    })
}

fn sim() -> SimLlamaApi {
    let sim = start_sim();
    sim.respond_with(scripted_model);
    sim
}

const PASSING: &[&str] = &[
    "agent_loop::two_step_loop",
    "agent_loop::parallel_calls",
    "agent_loop::schema_invalid_call_is_fed_back",
    "agent_loop::search_then_book",
];

#[test]
fn agent_loops_record_and_replay_offline() {
    let sim = sim();
    let fixtures = tempfile::tempdir().unwrap();
    Child::exact(PASSING)
        .record(&sim)
        .fixtures(fixtures.path())
        .run()
        .assert_passed(PASSING.len());
    // The attribute's own call for each eval, then the loop: two turns
    // each, three for the invalid call and for the two-tool sequence.
    assert_eq!(sim.request_count(), 4 + 2 + 2 + 3 + 3);
    let loop_fixture = load_fixture(
        &fixtures
            .path()
            .join(fixture_file("agent_loop::two_step_loop")),
    );
    assert_eq!(
        loop_fixture.interactions.len(),
        3,
        "one fixture for the attribute's call and every turn of the loop"
    );
    Child::exact(PASSING)
        .replay_in_ci(Some(&sim.uri()))
        .fixtures(fixtures.path())
        .run()
        .assert_passed(PASSING.len());
    assert_eq!(sim.request_count(), 14, "replay reached the API");
}

#[test]
fn a_changed_tool_implementation_is_a_replay_miss_at_its_step() {
    let sim = sim();
    let fixtures = tempfile::tempdir().unwrap();
    Child::exact(&["agent_loop::two_step_loop"])
        .record(&sim)
        .fixtures(fixtures.path())
        .run()
        .assert_passed(1);
    let run = Child::exact(&["agent_loop::two_step_loop"])
        .replay_in_ci(None)
        .fixtures(fixtures.path())
        .env("AGENT_TEST_TEMPERATURE", "30")
        .run();
    run.assert_counts(0, 1);
    let failure = run.failure_of("agent_loop::two_step_loop");
    assert!(failure.contains("replay miss"), "{failure}");
    assert!(failure.contains("interaction 3 of 3"), "{failure}");
    assert!(
        failure.contains("21") && failure.contains("30"),
        "{failure}"
    );
}

#[test]
fn the_step_limit_and_failing_trajectory_checks_show_the_steps() {
    let sim = sim();
    let tests = [
        "agent_loop::step_limit_fails",
        "agent_loop::wrong_sequence_fails",
        "agent_loop::repeated_call_fails",
    ];
    let run = Child::exact(&tests).record(&sim).run();
    run.assert_counts(0, 3);
    let limit = run.failure_of("agent_loop::step_limit_fails");
    assert!(limit.contains("llama-test FAIL"), "{limit}");
    assert!(limit.contains("max_steps = 3"), "{limit}");
    assert!(limit.contains("step 3 (turn 3: get_weather("), "{limit}");
    let sequence = run.failure_of("agent_loop::wrong_sequence_fails");
    assert!(sequence.contains("tool_sequence"), "{sequence}");
    assert!(
        sequence.contains("it called [search_hotels, book_hotel]"),
        "{sequence}"
    );
    let repeated = run.failure_of("agent_loop::repeated_call_fails");
    assert!(repeated.contains("step 2 repeats step 1"), "{repeated}");
}

// The attribute form: `agent(...)` runs the loop, `assert(...)` checks the
// trajectory (and the last answer) before the body runs.

fn registry() -> ToolRegistry {
    ToolRegistry::new()
        .tool("get_weather", get_weather)
        .tool("search_hotels", search_hotels)
        .tool("book_hotel", book_hotel)
}

#[llama_eval(
    model = "Llama-3.3-70B-Instruct",
    prompt = "agent: search then book",
    tools = "tests/end_to_end/data/agent_tools.json",
    agent(max_steps = 4, tools = registry),
    assert(
        tool_used = "search_hotels",
        not_tool_used = "get_weather",
        tool_sequence = ["search_hotels", "book_hotel"],
        tool_sequence(value = ["book_hotel"], exact = false),
        tool_args_match(name = "book_hotel", arguments = r#"{"hotel_id": "h1"}"#),
        tool_call_f1 = ["search_hotels", "book_hotel"],
        max_steps = 2,
        no_repeated_call,
        contains = "BK-1",
        no_tool_call,
    )
)]
#[ignore = "run in a child process by the driver tests"]
fn attribute_agent_passes(out: Output) {
    let t = out.trajectory().unwrap();
    assert_eq!(t.turns, 3);
    assert_eq!(out.request().messages.len(), 5, "the last turn's request");
}

#[llama_eval(
    model = "Llama-3.3-70B-Instruct",
    prompt = "agent: search then book",
    tools = "tests/end_to_end/data/agent_tools.json",
    agent(tools = registry),
    assert(
        tool_used = "get_weather",
        tool_sequence = ["book_hotel", "search_hotels"],
        tool_args_match(name = "book_hotel", arguments = r#"{"nights": 9}"#),
        tool_call_f1 = ["get_weather"],
        max_steps = 1,
        contains = "BK-1",
    )
)]
#[ignore = "run in a child process by the driver tests"]
fn attribute_trajectory_checks_fail() {
    panic!("the body runs only when the checks pass");
}

#[llama_eval(
    model = "Llama-3.3-70B-Instruct",
    prompt = "agent: loop forever",
    tools = "tests/end_to_end/data/agent_tools.json",
    agent(max_steps = 2, tools = registry),
    assert(no_repeated_call)
)]
#[ignore = "run in a child process by the driver tests"]
fn attribute_step_limit_fails() {}

#[test]
fn the_attribute_runs_the_loop_and_checks_the_trajectory() {
    let sim = sim();
    let fixtures = tempfile::tempdir().unwrap();
    let tests = [
        "agent_loop::attribute_agent_passes",
        "agent_loop::attribute_trajectory_checks_fail",
        "agent_loop::attribute_step_limit_fails",
    ];
    let run = Child::exact(&tests)
        .record(&sim)
        .fixtures(fixtures.path())
        .run();
    run.assert_counts(1, 2);
    let checks = run.failure_of("agent_loop::attribute_trajectory_checks_fail");
    assert!(checks.contains("llama-test FAIL"), "{checks}");
    for failing in [
        "tool_used",
        "tool_sequence",
        "tool_args_match",
        "tool_call_f1",
        "max_steps",
    ] {
        assert!(
            checks.contains(&format!("FAIL  {failing}:")),
            "{failing}: {checks}"
        );
    }
    assert!(!checks.contains("FAIL  contains"), "{checks}");
    assert!(!checks.contains("the body runs"), "{checks}");
    assert!(checks.contains("step 2 (turn 2: book_hotel("), "{checks}");
    let limit = run.failure_of("agent_loop::attribute_step_limit_fails");
    assert!(limit.contains("llama-test FAIL"), "{limit}");
    assert!(limit.contains("agent(max_steps = 2)"), "{limit}");
    assert!(limit.contains("step 2 repeats step 1"), "{limit}");
    assert!(limit.contains("step 2 (turn 2: get_weather("), "{limit}");
    // The passing loop replays offline, with no API behind it.
    Child::exact(&["agent_loop::attribute_agent_passes"])
        .replay_in_ci(None)
        .fixtures(fixtures.path())
        .run()
        .assert_passed(1);
}
