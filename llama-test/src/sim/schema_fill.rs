//! A small, valid JSON value for a JSON Schema: what the simulator answers
//! for `response_format: json_schema` and uses as tool-call arguments.
//!
//! The value is minimal (required properties only, the fewest array items
//! that make sense) but filled from the prompt where a property's name says
//! what it wants: `location` gets the place the prompt names, `query` gets
//! the prompt, an enum gets the option the prompt mentions. Numbers land in
//! the middle of their bounds, so `rating` in 1..5 is 3.

use serde_json::{Map, Value, json};

use super::prompt::{mentions_word, place_phrase};
use super::schema_values::{distinct, fit_length, fit_pattern, integer, number};

/// Schemas nested deeper than this (or recursive `$ref`s) end in `null`.
const MAX_DEPTH: usize = 24;

/// Property names that want a place.
pub(crate) const PLACE_NAMES: &[&str] = &[
    "location",
    "city",
    "place",
    "address",
    "destination",
    "origin",
    "region",
    "where",
];
const PROMPT_NAMES: &[&str] = &[
    "query", "q", "search", "question", "prompt", "input", "text", "message", "topic",
];
const PROSE_NAMES: &[&str] = &[
    "summary",
    "description",
    "answer",
    "reason",
    "reasoning",
    "explanation",
    "content",
    "body",
    "comment",
    "review",
    "title",
];

/// Fills `schema` using `prompt` (the last user message) for hints.
pub(crate) fn fill(schema: &Value, prompt: &str) -> Value {
    Filler {
        root: schema,
        prompt,
        place: place_phrase(prompt),
    }
    .value(schema, None, 0)
}

struct Filler<'a> {
    root: &'a Value,
    prompt: &'a str,
    place: Option<String>,
}

impl Filler<'_> {
    fn value(&self, schema: &Value, name: Option<&str>, depth: usize) -> Value {
        if depth > MAX_DEPTH {
            return Value::Null;
        }
        let Some(obj) = schema.as_object() else {
            // `true` (or anything unexpected) accepts any value.
            return Value::Null;
        };
        if let Some(target) = obj.get("$ref").and_then(Value::as_str) {
            return match self.resolve(target) {
                Some(resolved) => self.value(resolved, name, depth + 1),
                None => Value::Null,
            };
        }
        if let Some(constant) = obj.get("const") {
            return constant.clone();
        }
        if let Some(Value::Array(options)) = obj.get("enum") {
            return self.pick_enum(options);
        }
        if let Some(Value::Array(parts)) = obj.get("allOf") {
            let mut merged = Value::Object(without(obj, "allOf"));
            for part in parts {
                let part = self.resolved(part);
                merged = merge(&merged, part);
            }
            return self.value(&merged, name, depth + 1);
        }
        for key in ["anyOf", "oneOf"] {
            if let Some(Value::Array(branches)) = obj.get(key) {
                let branch = branches
                    .iter()
                    .find(|b| b.get("type").and_then(Value::as_str) != Some("null"))
                    .or(branches.first());
                if let Some(branch) = branch {
                    let merged = merge(&Value::Object(without(obj, key)), self.resolved(branch));
                    return self.value(&merged, name, depth + 1);
                }
            }
        }
        match type_of(obj) {
            Some("object") => self.object(obj, depth),
            Some("array") => self.array(obj, name, depth),
            Some("string") => Value::String(self.string(obj, name)),
            Some("integer") => integer(obj),
            Some("number") => number(obj),
            Some("boolean") => Value::Bool(true),
            Some("null") => Value::Null,
            _ if name.is_some() => Value::String(self.string_hint(name)),
            _ => json!({}),
        }
    }

    fn resolve(&self, reference: &str) -> Option<&Value> {
        let pointer = reference.strip_prefix('#')?;
        if pointer.is_empty() {
            return Some(self.root);
        }
        self.root.pointer(pointer)
    }

    /// The schema a `$ref` points at, or the schema itself.
    fn resolved<'v>(&'v self, schema: &'v Value) -> &'v Value {
        schema
            .get("$ref")
            .and_then(Value::as_str)
            .and_then(|r| self.resolve(r))
            .unwrap_or(schema)
    }

    fn pick_enum(&self, options: &[Value]) -> Value {
        options
            .iter()
            .find(|o| o.as_str().is_some_and(|s| mentions_word(self.prompt, s)))
            .or(options.first())
            .cloned()
            .unwrap_or(Value::Null)
    }

    fn object(&self, obj: &Map<String, Value>, depth: usize) -> Value {
        let empty = Map::new();
        let properties = obj
            .get("properties")
            .and_then(Value::as_object)
            .unwrap_or(&empty);
        let required: Vec<&str> = obj
            .get("required")
            .and_then(Value::as_array)
            .map(|r| r.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        let min_properties = obj
            .get("minProperties")
            .and_then(Value::as_u64)
            .unwrap_or(0);
        let mut out = Map::new();
        for (key, sub) in properties {
            let wanted = required.contains(&key.as_str())
                || self.prompt_fills(key, self.resolved(sub))
                || (out.len() as u64) < min_properties;
            if wanted {
                out.insert(key.clone(), self.value(sub, Some(key), depth + 1));
            }
        }
        let extra = obj
            .get("additionalProperties")
            .filter(|a| a.is_object())
            .cloned()
            .unwrap_or(json!({}));
        for key in required {
            if !out.contains_key(key) {
                out.insert(key.to_owned(), self.value(&extra, Some(key), depth + 1));
            }
        }
        Value::Object(out)
    }

    /// Whether an optional property is worth filling because the prompt
    /// answers it (a named place, a mentioned enum option).
    fn prompt_fills(&self, name: &str, schema: &Value) -> bool {
        if let Some(Value::Array(options)) = schema.get("enum") {
            return options
                .iter()
                .any(|o| o.as_str().is_some_and(|s| mentions_word(self.prompt, s)));
        }
        schema.get("type").and_then(Value::as_str) == Some("string")
            && self.place.is_some()
            && PLACE_NAMES.contains(&name.to_ascii_lowercase().as_str())
    }

    fn array(&self, obj: &Map<String, Value>, name: Option<&str>, depth: usize) -> Value {
        let min = obj.get("minItems").and_then(Value::as_u64).unwrap_or(0);
        let max = obj.get("maxItems").and_then(Value::as_u64);
        // One item shows the shape; more only when the schema demands it.
        let count = max.map_or(min.max(1), |max| min.max(1).min(max));
        let prefix: &[Value] = obj
            .get("prefixItems")
            .or_else(|| obj.get("items").filter(|i| i.is_array()))
            .and_then(Value::as_array)
            .map(Vec::as_slice)
            .unwrap_or_default();
        let rest = obj
            .get("items")
            .filter(|i| !i.is_array())
            .or_else(|| obj.get("additionalItems"))
            .cloned()
            .unwrap_or(json!({}));
        let unique = obj.get("uniqueItems").and_then(Value::as_bool) == Some(true);
        let count = usize::try_from(count).unwrap_or(1).max(prefix.len());
        let items = (0..count)
            .map(|i| {
                let schema = prefix.get(i).unwrap_or(&rest);
                let item = self.value(schema, name, depth + 1);
                if unique { distinct(item, i) } else { item }
            })
            .collect();
        Value::Array(items)
    }

    fn string(&self, obj: &Map<String, Value>, name: Option<&str>) -> String {
        let by_format = match obj.get("format").and_then(Value::as_str) {
            Some("date") => Some("2025-01-01"),
            Some("date-time") => Some("2025-01-01T00:00:00Z"),
            Some("time") => Some("12:00:00Z"),
            Some("email") => Some("user@example.com"),
            Some("uri" | "url" | "iri" | "uri-reference") => Some("https://example.com/"),
            Some("uuid") => Some("00000000-0000-4000-8000-000000000000"),
            Some("hostname") => Some("example.com"),
            Some("ipv4") => Some("127.0.0.1"),
            Some("ipv6") => Some("::1"),
            _ => None,
        };
        let mut text = by_format.map_or_else(|| self.string_hint(name), str::to_owned);
        if let Some(pattern) = obj.get("pattern").and_then(Value::as_str) {
            text = fit_pattern(text, pattern);
        }
        fit_length(text, obj)
    }

    /// The text a string property gets from its name and the prompt.
    fn string_hint(&self, name: Option<&str>) -> String {
        let Some(name) = name else {
            return "example".to_owned();
        };
        let lower = name.to_ascii_lowercase();
        let prompt = self.prompt.trim();
        if PLACE_NAMES.contains(&lower.as_str())
            && let Some(place) = &self.place
        {
            return place.clone();
        }
        if !prompt.is_empty() {
            if PROMPT_NAMES.contains(&lower.as_str()) {
                return prompt.to_owned();
            }
            if PROSE_NAMES.contains(&lower.as_str()) {
                return format!("Simulated {lower} of: {prompt}");
            }
        }
        "example".to_owned()
    }
}

/// The schema's `type`; a list picks its first non-null entry, and a
/// missing type is inferred from the keywords present.
fn type_of(obj: &Map<String, Value>) -> Option<&str> {
    match obj.get("type") {
        Some(Value::String(t)) => return Some(t),
        Some(Value::Array(types)) => {
            let names: Vec<&str> = types.iter().filter_map(Value::as_str).collect();
            return names
                .iter()
                .find(|t| **t != "null")
                .or(names.first())
                .copied();
        }
        _ => {}
    }
    let has = |keys: &[&str]| keys.iter().any(|k| obj.contains_key(*k));
    if has(&["properties", "required", "additionalProperties"]) {
        Some("object")
    } else if has(&["items", "prefixItems", "minItems", "maxItems"]) {
        Some("array")
    } else if has(&["minLength", "maxLength", "pattern", "format"]) {
        Some("string")
    } else if has(&["minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"]) {
        Some("number")
    } else {
        None
    }
}

fn without(obj: &Map<String, Value>, key: &str) -> Map<String, Value> {
    let mut copy = obj.clone();
    copy.remove(key);
    copy
}

/// Combines two schemas: properties and required lists are unioned, any
/// other keyword keeps the first value seen.
fn merge(a: &Value, b: &Value) -> Value {
    let (Some(a), Some(b)) = (a.as_object(), b.as_object()) else {
        return a.clone();
    };
    let mut out = a.clone();
    for (key, value) in b {
        match (key.as_str(), out.get_mut(key)) {
            ("properties", Some(Value::Object(props))) => {
                if let Some(more) = value.as_object() {
                    for (k, v) in more {
                        props.entry(k.clone()).or_insert_with(|| v.clone());
                    }
                }
            }
            ("required", Some(Value::Array(names))) => {
                for name in value.as_array().into_iter().flatten() {
                    if !names.contains(name) {
                        names.push(name.clone());
                    }
                }
            }
            (_, Some(_)) => {}
            (_, None) => {
                out.insert(key.clone(), value.clone());
            }
        }
    }
    Value::Object(out)
}

#[cfg(test)]
mod tests;
