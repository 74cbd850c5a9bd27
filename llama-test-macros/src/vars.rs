//! `{{var}}` placeholders against the cases: every placeholder (found by
//! `llama_test_core::template`, the grammar the runtime fills in) must name a
//! var of every case.

use crate::errors::Errors;
use crate::eval::Case;
use crate::keys::Spanned;

/// Reports every placeholder in `text` that some case does not define.
/// `key` names where the text came from (`prompt`, `assert contains`).
pub fn check(key: &str, text: &Spanned<String>, cases: &[Case], errors: &mut Errors) {
    for name in llama_test_core::template::names(&text.value) {
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

    /// `{{ {{a}} }}` holds the placeholder `a`, as the runtime reads it; the
    /// macro used to find none and let the test fail at run time.
    #[test]
    fn nested_braces_need_the_inner_var() {
        let text = Spanned {
            value: "{{ {{a}} }}".to_owned(),
            tokens: quote!("..."),
        };
        let mut errors = Errors::new();
        check("prompt", &text, &[case(None, &["city"])], &mut errors);
        assert_eq!(
            errors.messages(),
            ["`prompt` uses `{{a}}`, which case 1 does not define; its vars are: `city`"]
        );
        let mut errors = Errors::new();
        check("prompt", &text, &[case(None, &["a"])], &mut errors);
        assert!(errors.is_empty());
    }
}
