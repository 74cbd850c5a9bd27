//! `{{var}}` templating: the plain-variable subset of promptfoo's nunjucks
//! that evals actually use. An undefined variable is an error, never an empty
//! string (promptfoo renders it as "" and the test silently asks the wrong thing).

use crate::error::{Error, Result};

/// Replaces every `{{ name }}` in `template` with its value from `vars`.
/// `what` names the template (e.g. "prompt") in errors. The grammar is
/// `llama_test_core::template`'s, which `#[llama_eval]` checks against the
/// cases at compile time.
///
/// ```
/// use llama_test::template::render;
/// let out = render("Weather in {{city}}?", &[("city", "Paris")], "prompt").unwrap();
/// assert_eq!(out, "Weather in Paris?");
/// assert!(render("{{nope}}", &[], "prompt").is_err());
/// ```
pub fn render(template: &str, vars: &[(&str, &str)], what: &str) -> Result<String> {
    let value = |name: &str| vars.iter().find(|(k, _)| *k == name).map(|(_, v)| *v);
    llama_test_core::template::render_with(template, value).map_err(|name| {
        let known: Vec<&str> = vars.iter().map(|(k, _)| *k).collect();
        Error::Config(format!(
            "{what}: `{{{{{name}}}}}` is not defined; defined variables: [{}]",
            known.join(", ")
        ))
    })
}

/// Renders every string inside a JSON value (object keys are left alone).
pub fn render_json(
    value: &serde_json::Value,
    vars: &[(&str, &str)],
    what: &str,
) -> Result<serde_json::Value> {
    use serde_json::Value;
    Ok(match value {
        Value::String(s) => Value::String(render(s, vars, what)?),
        Value::Array(items) => Value::Array(
            items
                .iter()
                .map(|v| render_json(v, vars, what))
                .collect::<Result<_>>()?,
        ),
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| Ok((k.clone(), render_json(v, vars, what)?)))
                .collect::<Result<_>>()?,
        ),
        other => other.clone(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_spaced_and_repeated_vars() {
        let vars = [("a", "1"), ("b", "two")];
        assert_eq!(
            render("{{a}}-{{ b }}-{{a}}", &vars, "p").unwrap(),
            "1-two-1"
        );
        assert_eq!(render("no vars", &vars, "p").unwrap(), "no vars");
        assert_eq!(render("open {{ only", &vars, "p").unwrap(), "open {{ only");
        assert_eq!(render("héllo {{b}} ✓", &vars, "p").unwrap(), "héllo two ✓");
        assert_eq!(render("{{ {{a}} }}", &vars, "p").unwrap(), "{{ 1 }}");
    }

    #[test]
    fn undefined_var_names_it_and_lists_known() {
        let err = render("Hi {{ city }}", &[("town", "x")], "prompt")
            .unwrap_err()
            .to_string();
        assert!(err.contains("prompt: `{{city}}` is not defined"), "{err}");
        assert!(err.contains("[town]"), "{err}");
    }

    #[test]
    fn renders_json_strings_only() {
        let v = serde_json::json!({"role": "user", "content": [{"type": "text", "text": "{{x}}"}], "n": 1});
        let out = render_json(&v, &[("x", "y")], "messages").unwrap();
        assert_eq!(out["content"][0]["text"], "y");
        assert_eq!(out["n"], 1);
    }
}
