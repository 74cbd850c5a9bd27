use serde_json::json;

use super::fill;

fn assert_valid(schema: &serde_json::Value, value: &serde_json::Value) {
    let validator = jsonschema::validator_for(schema).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(value)
        .map(|e| e.to_string())
        .collect();
    assert!(
        errors.is_empty(),
        "{value} is invalid for {schema}: {errors:?}"
    );
}

#[test]
fn product_review_gets_a_mid_rating_and_a_summary() {
    let schema = json!({
        "type": "object",
        "properties": {
            "rating": {"type": "number", "minimum": 1, "maximum": 5},
            "summary": {"type": "string"},
            "pros": {"type": "array", "items": {"type": "string"}},
            "cons": {"type": "array", "items": {"type": "string"}}
        },
        "required": ["rating", "summary"]
    });
    let prompt = "Review this product: Wireless headphones with great sound quality";
    let value = fill(&schema, prompt);
    assert_valid(&schema, &value);
    assert_eq!(value["rating"], json!(3));
    assert!(
        value["summary"]
            .as_str()
            .unwrap()
            .contains("Wireless headphones")
    );
    assert!(
        value.get("pros").is_none(),
        "optional arrays stay out: {value}"
    );
}

#[test]
fn tool_arguments_take_the_place_and_the_mentioned_enum() {
    let schema = json!({
        "type": "object",
        "properties": {
            "location": {"type": "string"},
            "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]}
        },
        "required": ["location"]
    });
    let value = fill(&schema, "What's the weather like in New York, NY?");
    assert_eq!(value, json!({"location": "New York, NY"}));
    let value = fill(&schema, "Weather in Paris in fahrenheit please");
    assert_eq!(value, json!({"location": "Paris", "unit": "fahrenheit"}));
}

#[test]
fn bounds_formats_lengths_and_unique_items_are_respected() {
    let schema = json!({
        "type": "object",
        "required": ["n", "x", "when", "mail", "code", "tags", "pair", "step", "neg"],
        "properties": {
            "n": {"type": "integer", "exclusiveMinimum": 10, "maximum": 20},
            "x": {"type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 1},
            "when": {"type": "string", "format": "date-time"},
            "mail": {"type": "string", "format": "email"},
            "code": {"type": "string", "minLength": 12, "maxLength": 14},
            "tags": {"type": "array", "items": {"type": "string"}, "minItems": 3, "uniqueItems": true},
            "pair": {"type": "array", "prefixItems": [{"type": "integer"}, {"type": "boolean"}]},
            "step": {"type": "integer", "minimum": 7, "multipleOf": 5},
            "neg": {"type": "number", "maximum": -3}
        },
        "additionalProperties": false
    });
    let value = fill(&schema, "");
    assert_valid(&schema, &value);
    assert_eq!(value["tags"].as_array().unwrap().len(), 3);
}

#[test]
fn refs_combinators_nullable_types_and_patterns() {
    let schema = json!({
        "$defs": {
            "Street": {"type": "object", "properties": {"street": {"type": "string"}}, "required": ["street"]}
        },
        "type": "object",
        "required": ["home", "kind", "maybe", "both", "fixed", "zip", "any"],
        "properties": {
            "home": {"$ref": "#/$defs/Street"},
            "kind": {"oneOf": [{"type": "null"}, {"type": "string", "enum": ["a", "b"]}]},
            "maybe": {"type": ["null", "integer"], "minimum": 2},
            "both": {"allOf": [
                {"type": "object", "properties": {"a": {"type": "string"}}, "required": ["a"]},
                {"properties": {"b": {"type": "boolean"}}, "required": ["b"]}
            ]},
            "fixed": {"const": "v1"},
            "zip": {"type": "string", "pattern": "^[0-9]+$"},
            "any": {}
        }
    });
    let value = fill(&schema, "123 Main St, Anytown, USA");
    assert_valid(&schema, &value);
    assert_eq!(value["both"]["b"], json!(true));
    assert_eq!(value["fixed"], json!("v1"));
}

#[test]
fn recursive_schemas_terminate() {
    let schema = json!({
        "type": "object",
        "required": ["child"],
        "properties": {"child": {"anyOf": [{"$ref": "#"}, {"type": "null"}]}}
    });
    // Must return (the depth limit ends the recursion), whatever it builds.
    let _ = fill(&schema, "");
}

#[test]
fn empty_schema_gives_an_object() {
    assert_eq!(fill(&json!({}), "hi"), json!({}));
}
