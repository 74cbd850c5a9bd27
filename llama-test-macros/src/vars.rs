//! `{{var}}` placeholders. The runtime substitutes them from the case's vars;
//! the macro only checks that every placeholder names a var of every case.
//! Anything between `{{ }}` that is not a plain identifier (filters, dotted
//! paths, literal braces in a prompt) is left alone.

use crate::errors::Errors;
use crate::eval::Case;
use crate::keys::Spanned;

/// The distinct plain-variable names in `text`, in order of appearance.
pub fn placeholders(text: &str) -> Vec<&str> {
    let mut names: Vec<&str> = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("{{") {
        let after = &rest[start + 2..];
        let Some(end) = after.find("}}") else { break };
        let name = after[..end].trim();
        if is_identifier(name) && !names.contains(&name) {
            names.push(name);
        }
        rest = &after[end + 2..];
    }
    names
}

fn is_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// Replaces each placeholder with `x`, e.g. to validate a templated regex.
pub fn fill_placeholders(text: &str) -> String {
    let mut out = text.to_owned();
    for name in placeholders(text) {
        for form in [format!("{{{{{name}}}}}"), format!("{{{{ {name} }}}}")] {
            out = out.replace(&form, "x");
        }
    }
    out
}

/// Reports every placeholder in `text` that some case does not define.
/// `key` names where the text came from (`prompt`, `assert contains`).
pub fn check(key: &str, text: &Spanned<String>, cases: &[Case], errors: &mut Errors) {
    for name in placeholders(&text.value) {
        if cases.is_empty() {
            errors.push(
                &text.tokens,
                format!(
                    "`{key}` uses `{{{{{name}}}}}` but there is no `case(...)` to define it; \
                     add e.g. `case({name} = \"...\")`"
                ),
            );
            continue;
        }
        for case in cases.iter().filter(|c| !c.defines(name)) {
            let vars: Vec<&str> = case.vars.iter().map(|(k, _)| k.as_str()).collect();
            let mut defined = if vars.is_empty() {
                "it defines no vars".to_owned()
            } else {
                format!("its vars are: {}", crate::names::backticked(&vars))
            };
            if name == "name" {
                defined.push_str(" (`name` labels the case and is not a var)");
            }
            errors.push(
                &text.tokens,
                format!(
                    "`{key}` uses `{{{{{name}}}}}`, which {} does not define{}; {defined}",
                    case.describe(),
                    crate::names::hint(name, &vars)
                ),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use quote::quote;

    #[test]
    fn finds_plain_placeholders_once_each() {
        assert_eq!(
            placeholders("{{a}} and {{ b }} and {{a}} {{c | upper}} {{d.e}} {{ }} {{f"),
            ["a", "b"]
        );
        assert!(placeholders("no templates, just {braces}").is_empty());
        assert_eq!(fill_placeholders("^{{a}}-{{ b }}$"), "^x-x$");
    }

    fn case(name: Option<&str>, vars: &[&str]) -> Case {
        Case {
            index: 0,
            label: "case_1".into(),
            name: name.map(str::to_owned),
            vars: vars
                .iter()
                .map(|v| (v.to_string(), "v".to_string()))
                .collect(),
        }
    }

    #[test]
    fn undefined_variables_name_the_case_and_its_vars() {
        let text = Spanned {
            value: "Weather in {{citty}}? {{city}}".to_owned(),
            tokens: quote!("..."),
        };
        let mut errors = Errors::new();
        check(
            "prompt",
            &text,
            &[case(Some("nyc"), &["city"])],
            &mut errors,
        );
        assert_eq!(
            errors.messages(),
            [
                "`prompt` uses `{{citty}}`, which case 1 (`nyc`) does not define; \
              did you mean `city`?; its vars are: `city`"
            ]
        );

        let mut errors = Errors::new();
        check("system", &text, &[], &mut errors);
        assert_eq!(errors.messages().len(), 2);
        assert!(errors.messages()[0].contains("there is no `case(...)`"));
    }
}
