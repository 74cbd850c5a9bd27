//! JSON Schema validation with compiled validators cached for the process.
//!
//! The draft follows the schema's `$schema` (2020-12 when absent; draft-07,
//! 2019-09, 6 and 4 accepted); `format` is validated. Remote `$ref`s are not
//! fetched (the crate is built without network or file resolution), so a
//! schema that needs one is an error, never a network call from a test.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, LazyLock, Mutex, PoisonError};

use jsonschema::Validator;
use serde_json::Value;

/// A compiled JSON Schema. Cheap to clone; compiling the same schema twice
/// reuses the first validator.
#[derive(Clone)]
pub struct Schema {
    validator: Arc<Validator>,
    source: Arc<Value>,
}

impl fmt::Debug for Schema {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Schema")
            .field("source", &self.source)
            .finish()
    }
}

/// The schema itself is not a valid JSON Schema (or names an unknown draft,
/// or has a `$ref` that cannot be resolved offline).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid JSON Schema: {message}")]
pub struct SchemaError {
    /// What is wrong with the schema, from the validator.
    pub message: String,
}

/// One way an instance breaks a schema.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    /// JSON Pointer into the instance (`/items/0/price`); `""` for the root.
    pub instance_path: String,
    /// What is wrong there, e.g. `7 is greater than the maximum of 5`.
    pub message: String,
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let path = if self.instance_path.is_empty() {
            "(root)"
        } else {
            &self.instance_path
        };
        write!(f, "at {path}: {}", self.message)
    }
}

/// Validators keyed by the schema's canonical text. serde_json's default map
/// is sorted, so equal schemas written with different key order share one.
static CACHE: LazyLock<Mutex<HashMap<String, Arc<Validator>>>> =
    LazyLock::new(|| Mutex::new(HashMap::new()));

impl Schema {
    /// Compiles `schema`, or returns the cached validator for an equal one.
    pub fn compile(schema: &Value) -> Result<Schema, SchemaError> {
        let key = schema.to_string();
        // A panic while holding the lock cannot leave the map inconsistent
        // (inserts are atomic), so a poisoned lock is still usable.
        if let Some(found) = CACHE
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(&key)
        {
            return Ok(Schema {
                validator: Arc::clone(found),
                source: Arc::new(schema.clone()),
            });
        }
        if !schema.is_object() && !schema.is_boolean() {
            return Err(SchemaError {
                message: format!("a schema must be a JSON object or boolean, got {schema}"),
            });
        }
        let validator = jsonschema::options()
            .should_validate_formats(true)
            .build(schema)
            .map_err(|e| {
                let at = e.instance_path().as_str();
                let message = if at.is_empty() {
                    e.to_string()
                } else {
                    format!("{e} (at {at} in the schema)")
                };
                SchemaError { message }
            })?;
        let validator = Arc::new(validator);
        CACHE
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(key, Arc::clone(&validator));
        Ok(Schema {
            validator,
            source: Arc::new(schema.clone()),
        })
    }

    /// The schema as given.
    pub fn source(&self) -> &Value {
        &self.source
    }

    /// Whether `instance` validates.
    pub fn is_valid(&self, instance: &Value) -> bool {
        self.validator.is_valid(instance)
    }

    /// Every violation, each with its instance path; empty when valid.
    pub fn violations(&self, instance: &Value) -> Vec<Violation> {
        if self.validator.is_valid(instance) {
            return Vec::new();
        }
        self.validator
            .iter_errors(instance)
            .map(|e| Violation {
                instance_path: e.instance_path().as_str().to_owned(),
                message: e.to_string(),
            })
            .collect()
    }
}

/// `at /a: ...; at /b: ...`, for messages.
pub fn describe_violations(violations: &[Violation]) -> String {
    let parts: Vec<String> = violations.iter().map(Violation::to_string).collect();
    parts.join("; ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn equal_schemas_share_one_validator() {
        let a = Schema::compile(&json!({"type": "object", "required": ["x"]})).unwrap();
        let b = Schema::compile(&json!({"required": ["x"], "type": "object"})).unwrap();
        assert!(Arc::ptr_eq(&a.validator, &b.validator));
    }

    #[test]
    fn every_violation_has_its_path() {
        let s = Schema::compile(&json!({
            "type": "object",
            "properties": {"rating": {"type": "number", "maximum": 5}, "tags": {"type": "array", "items": {"type": "string"}}},
            "required": ["summary"]
        }))
        .unwrap();
        let v = s.violations(&json!({"rating": 7, "tags": ["ok", 3]}));
        let paths: Vec<&str> = v.iter().map(|v| v.instance_path.as_str()).collect();
        assert_eq!(v.len(), 3, "{v:?}");
        assert!(paths.contains(&"/rating") && paths.contains(&"/tags/1") && paths.contains(&""));
        assert!(describe_violations(&v).contains("at (root): \"summary\" is a required property"));
    }
}
