//! Agent evals: the seed's tool-calling example as a loop, with
//! `get_weather` implemented in Rust and the model answering from its
//! result; and two tools in sequence (search, then book).
//!
//! `agent(tools = ...)` names a `fn() -> ToolRegistry`; the tool definitions
//! the model sees stay in the `tools` file. The whole loop is one fixture:
//! on replay the implementations run again, and a result that changed is a
//! replay miss at the turn it was sent back.

use llama_test::prelude::*;
use serde_json::{Value, json};

/// A deterministic stand-in for a weather service.
async fn get_weather(args: Value) -> Result<Value, String> {
    let location = args["location"]
        .as_str()
        .ok_or("`location` must be a string")?;
    let unit = args["unit"].as_str().unwrap_or("celsius");
    let temperature = if unit == "fahrenheit" { 70 } else { 21 };
    Ok(
        json!({"location": location, "temperature": temperature, "unit": unit, "conditions": "sunny"}),
    )
}

pub(crate) fn weather_tools() -> ToolRegistry {
    ToolRegistry::new().tool("get_weather", get_weather)
}

#[llama_eval(
    model = "llamaapi:Llama-3.3-70B-Instruct",
    tools = "tests/data/get_weather.json",
    prompt = "What's the weather like in {{city}}?",
    case(name = "nyc", city = "New York, NY"),
    agent(max_steps = 4, tools = weather_tools),
    assert(
        tool_used = "get_weather",
        max_steps = 1,
        no_repeated_call,
        tool_call_f1 = ["get_weather"],
        contains = "sunny",
        no_tool_call,
    )
)]
fn weather_agent(out: Output) {
    let Some(trajectory) = out.trajectory() else {
        panic!("an agent eval's output has a trajectory");
    };
    let location = trajectory.steps[0].arguments["location"]
        .as_str()
        .unwrap_or_default();
    assert!(location.contains("New York"), "location was {location:?}");
    assert_eq!(trajectory.turns, 2);
    assert_output_snapshot!(out);
}

/// Hotels in the pretend catalogue, by city.
fn hotels_in(city: &str) -> Vec<Value> {
    match city.to_lowercase().as_str() {
        "rome" => vec![
            json!({"id": "rome-colosseo", "name": "Albergo Colosseo", "price_eur": 140}),
            json!({"id": "rome-trastevere", "name": "Casa Trastevere", "price_eur": 110}),
        ],
        _ => Vec::new(),
    }
}

async fn search_hotels(args: Value) -> Result<Value, String> {
    let city = args["city"].as_str().ok_or("`city` must be a string")?;
    Ok(json!({"city": city, "hotels": hotels_in(city)}))
}

async fn book_hotel(args: Value) -> Result<Value, String> {
    let id = args["hotel_id"]
        .as_str()
        .ok_or("`hotel_id` must be a string")?;
    let nights = args["nights"]
        .as_u64()
        .ok_or("`nights` must be a whole number")?;
    if !hotels_in("rome").iter().any(|h| h["id"] == id) {
        return Err(format!("no hotel `{id}`; search first"));
    }
    Ok(json!({"confirmation": format!("BK-{}-{nights}N", id.to_uppercase()), "nights": nights}))
}

fn hotel_tools() -> ToolRegistry {
    ToolRegistry::new()
        .tool("search_hotels", search_hotels)
        .tool("book_hotel", book_hotel)
}

#[llama_eval(
    model = "llamaapi:Llama-3.3-70B-Instruct",
    tools = "tests/data/hotel_tools.json",
    prompt = "Search for a hotel in Rome and book it for 2 nights",
    agent(max_steps = 5, tools = hotel_tools),
    assert(
        tool_sequence = ["search_hotels", "book_hotel"],
        tool_args_match(name = "search_hotels", arguments = r#"{"city": "Rome"}"#),
        tool_call_f1 = ["search_hotels", "book_hotel"],
        no_repeated_call,
        max_steps = 2,
        contains = "BK-ROME-",
    )
)]
fn search_then_book(out: Output) {
    out.assert_tool_args_match("book_hotel", json!({"hotel_id": "rome-colosseo"}));
    assert_output_snapshot!(out);
}
