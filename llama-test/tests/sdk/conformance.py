"""Meta's official Python SDK (llama-api-client 0.6.0) against the simulated
Llama API, used the way its README and examples use it.

Run by llama-test/tests/sim/sdk_conformance.rs inside a venv that holds the
SDK, as:

    python conformance.py BASE_URL API_KEY MODEL MID_STREAM_ERROR_BASE_URL

BASE_URL is `<sim>/v1`; MID_STREAM_ERROR_BASE_URL is `<sim>/v1` of a second
simulator that breaks every stream with a bare JSON error line.

Every check runs twice: with the client a new user makes (`default`) and
with the SDK's response validation switched on (`strict`). Prints exactly
one JSON line on stdout: {"sdk_version", "default": {check: ...},
"strict": {check: ...}}. A check that raised holds {"raised":
"<ExceptionClass>: <message>"} instead of its results, so one disagreement
does not hide the others; the Rust test asserts every field.
"""

import json
import sys
import traceback

import llama_api_client
from llama_api_client import (
    APIError,
    AuthenticationError,
    LlamaAPIClient,
    NotFoundError,
)

WEATHER_TOOL = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Get current weather for a given location.",
        "parameters": {
            "type": "object",
            "properties": {
                "location": {
                    "type": "string",
                    "description": "City and country e.g. Bogota, Colombia",
                }
            },
            "required": ["location"],
            "additionalProperties": False,
        },
        "strict": True,
    },
}

ADDRESS_SCHEMA = {
    "type": "object",
    "title": "Address",
    "properties": {
        "street": {"title": "Street", "type": "string"},
        "city": {"title": "City", "type": "string"},
        "zip": {"title": "Zip", "type": "integer"},
    },
    "required": ["street", "city", "zip"],
}


def text_of(message):
    """The text of a completion message: a string or a text content item."""
    content = message.content
    if content is None:
        return None
    if isinstance(content, str):
        return content
    return content.text


def metrics_of(metrics):
    return {m.metric: {"value": m.value, "unit": m.unit} for m in metrics or []}


def user(prompt):
    return [{"role": "user", "content": prompt}]


def check_text(client, model):
    response = client.chat.completions.create(
        model=model,
        messages=user("Explain quantum computing in one sentence"),
        max_completion_tokens=256,
        temperature=0.6,
    )
    message = response.completion_message
    return {
        "id": response.id,
        "role": message.role,
        "text": text_of(message),
        "stop_reason": message.stop_reason,
        "tool_calls": [c.function.name for c in message.tool_calls or []],
        "metrics": metrics_of(response.metrics),
    }


def check_stream(client, model):
    stream = client.chat.completions.create(
        model=model,
        messages=user("Write a short story about time travel"),
        stream=True,
    )
    event_types, text, stop_reason, metrics, ids = [], "", None, None, set()
    for chunk in stream:
        event = chunk.event
        event_types.append(event.event_type)
        ids.add(chunk.id)
        if event.delta.type == "text":
            text += event.delta.text
        if event.stop_reason is not None:
            stop_reason = event.stop_reason
        if event.metrics:
            metrics = metrics_of(event.metrics)
    return {
        "event_types": event_types,
        "text": text,
        "stop_reason": stop_reason,
        "metrics": metrics,
        "ids": sorted(i for i in ids if i is not None),
    }


def check_tools(client, model):
    messages = user("What's the weather like in New York, NY?")
    response = client.chat.completions.create(
        model=model, messages=messages, tools=[WEATHER_TOOL]
    )
    message = response.completion_message
    calls = [
        {
            "id": c.id,
            "name": c.function.name,
            "arguments": json.loads(c.function.arguments),
        }
        for c in message.tool_calls or []
    ]
    # The follow-up turn as the SDK's examples build it: the completion
    # message echoed back, then the tool's answer.
    follow_up = client.chat.completions.create(
        model=model,
        messages=messages
        + [
            message.model_dump(exclude_none=True),
            {
                "role": "tool",
                "tool_call_id": message.tool_calls[0].id,
                "content": "The weather in New York is sunny.",
            },
        ],
        tools=[WEATHER_TOOL],
    )
    return {
        "stop_reason": message.stop_reason,
        "calls": calls,
        "follow_up_text": text_of(follow_up.completion_message),
        "follow_up_tool_calls": len(follow_up.completion_message.tool_calls or []),
    }


def check_tool_stream(client, model):
    stream = client.chat.completions.create(
        model=model,
        messages=user("Is it raining in Bellevue?"),
        tools=[WEATHER_TOOL],
        stream=True,
    )
    # The client rule of the wire notes (and of the SDK's tool_call.py
    # example): a delta with an id starts a call, later ones append
    # argument fragments to the current call.
    calls, stop_reason = [], None
    for chunk in stream:
        event = chunk.event
        if event.stop_reason is not None:
            stop_reason = event.stop_reason
        delta = event.delta
        if delta.type != "tool_call":
            continue
        if delta.id or not calls:
            calls.append({"id": delta.id, "name": "", "arguments": ""})
        if delta.function.name:
            calls[-1]["name"] += delta.function.name
        if delta.function.arguments:
            calls[-1]["arguments"] += delta.function.arguments
    for call in calls:
        call["arguments"] = json.loads(call["arguments"])
    return {"calls": calls, "stop_reason": stop_reason}


def check_json_schema(client, model):
    response = client.chat.completions.create(
        model=model,
        messages=[
            {
                "role": "system",
                "content": "You are a helpful assistant. Summarize the address in a JSON object.",
            },
            {"role": "user", "content": "123 Main St, Anytown, USA"},
        ],
        temperature=0.1,
        response_format={
            "type": "json_schema",
            "json_schema": {"name": "Address", "schema": ADDRESS_SCHEMA},
        },
    )
    return {
        "parsed": json.loads(text_of(response.completion_message)),
        "schema": ADDRESS_SCHEMA,
    }


def check_models(client, model):
    listed = client.models.list()
    retrieved = client.models.retrieve(model)
    return {
        "ids": [m.id for m in listed],
        "objects": sorted({m.object for m in listed}),
        "owned_by": sorted({m.owned_by for m in listed}),
        "retrieved": retrieved.id,
    }


def error_of(call):
    """The SDK exception `call` raised, as data."""
    try:
        call()
    except APIError as e:
        return {
            "class": type(e).__name__,
            "status_code": getattr(e, "status_code", None),
            "is_authentication_error": isinstance(e, AuthenticationError),
            "is_not_found_error": isinstance(e, NotFoundError),
            "message": str(e),
            "body": e.body,
        }
    return {"class": None}


def check_wrong_key(base_url, _api_key, model, strict):
    client = make_client("not-the-key", base_url, strict)
    return error_of(
        lambda: client.chat.completions.create(model=model, messages=user("hi"))
    )


def check_unknown_model(client, _model):
    return error_of(
        lambda: client.chat.completions.create(
            model="Llama-9-Imaginary", messages=user("hi")
        )
    )


def check_mid_stream_error(base_url, api_key, model, strict):
    client = make_client(api_key, base_url, strict)
    received = []

    def consume():
        stream = client.chat.completions.create(
            model=model, messages=user("Write a short story about time travel"), stream=True
        )
        for chunk in stream:
            received.append(chunk.event.event_type)

    error = error_of(consume)
    error["events_before_error"] = received
    return error


def guarded(check, *args):
    try:
        return check(*args)
    except Exception as e:  # reported, asserted by the Rust test
        return {
            "raised": f"{type(e).__name__}: {e}",
            "traceback": traceback.format_exc(limit=4),
        }


def make_client(api_key, base_url, strict):
    # `_strict_response_validation` makes the SDK validate every body and
    # chunk against its pydantic types (APIResponseValidationError on a
    # mismatch); by default it builds its models without validating.
    return LlamaAPIClient(
        api_key=api_key, base_url=base_url, _strict_response_validation=strict
    )


def run_checks(base_url, api_key, model, mid_stream_error_url, strict):
    client = make_client(api_key, base_url, strict)
    results = {}
    for name, check in [
        ("text", check_text),
        ("stream", check_stream),
        ("tools", check_tools),
        ("tool_stream", check_tool_stream),
        ("json_schema", check_json_schema),
        ("models", check_models),
        ("unknown_model", check_unknown_model),
    ]:
        results[name] = guarded(check, client, model)
    results["wrong_key"] = guarded(check_wrong_key, base_url, api_key, model, strict)
    results["mid_stream_error"] = guarded(
        check_mid_stream_error, mid_stream_error_url, api_key, model, strict
    )
    return results


def main():
    base_url, api_key, model, mid_stream_error_url = sys.argv[1:5]
    results = {"sdk_version": llama_api_client.__version__}
    # A new user's client, then the same checks with validation on.
    for mode, strict in [("default", False), ("strict", True)]:
        results[mode] = run_checks(
            base_url, api_key, model, mid_stream_error_url, strict
        )
    print(json.dumps(results))


if __name__ == "__main__":
    main()
