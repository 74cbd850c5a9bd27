//! The user's function: which body forms are accepted, and where its other
//! attributes go on the generated code.

use syn::{Attribute, FnArg, ItemFn, ReturnType, Type};

use crate::errors::Errors;

/// What the body takes.
#[derive(Clone, Copy, PartialEq, Debug)]
pub enum Input {
    Nothing,
    Owned,
    Borrowed,
}

/// An accepted body form.
#[derive(Clone, Copy, Debug)]
pub struct Body {
    pub input: Input,
    pub is_async: bool,
}

const FORMS: &str = "a `#[llama_eval]` function takes `Output`, `&Output` or nothing and returns \
    `()`: `fn name(out: Output)`, `fn name(out: &Output)`, `fn name()`, or the same as `async fn`";

/// Checks the signature; errors are spanned on the offending part.
pub fn check_signature(item: &ItemFn, errors: &mut Errors) -> Option<Body> {
    let sig = &item.sig;
    let before = errors.len();
    if !sig.generics.params.is_empty() || sig.generics.where_clause.is_some() {
        errors.push(
            &sig.generics,
            format!("generic functions are not supported; {FORMS}"),
        );
    }
    if let Some(constness) = &sig.constness {
        errors.push(
            constness,
            format!("a `const fn` cannot be an eval; {FORMS}"),
        );
    }
    if !matches!(sig.safety, syn::Safety::Default) || sig.abi.is_some() || sig.variadic.is_some() {
        errors.push(
            &sig.ident,
            format!("`unsafe`, `extern` and variadic functions are not supported; {FORMS}"),
        );
    }
    if let ReturnType::Type(_, ty) = &sig.output
        && !matches!(&**ty, Type::Tuple(t) if t.elems.is_empty())
    {
        errors.push(ty, format!("the function must return `()`; {FORMS}"));
    }
    let input = match sig.inputs.len() {
        0 => Input::Nothing,
        1 => input_kind(&sig.inputs[0], errors),
        _ => {
            errors.push(&sig.inputs, format!("too many parameters; {FORMS}"));
            Input::Nothing
        }
    };
    (errors.len() == before).then_some(Body {
        input,
        is_async: sig.asyncness.is_some(),
    })
}

fn input_kind(arg: &FnArg, errors: &mut Errors) -> Input {
    let FnArg::Typed(typed) = arg else {
        errors.push(arg, format!("methods are not supported; {FORMS}"));
        return Input::Nothing;
    };
    match &*typed.ty {
        Type::Path(p) if names_output(p) => Input::Owned,
        Type::Reference(r)
            if r.mutability.is_none() && matches!(&*r.elem, Type::Path(p) if names_output(p)) =>
        {
            Input::Borrowed
        }
        other => {
            errors.push(other, format!("unsupported parameter type; {FORMS}"));
            Input::Nothing
        }
    }
}

fn names_output(ty: &syn::TypePath) -> bool {
    ty.qself.is_none()
        && ty
            .path
            .segments
            .last()
            .is_some_and(|s| s.ident == "Output" && s.arguments.is_none())
}

/// The user's attributes, sorted by where the expansion puts them.
#[derive(Default)]
pub struct Attrs {
    /// `#[ignore]`, `#[should_panic]`: only meaningful on the test fns.
    pub test_only: Vec<Attribute>,
    /// `#[cfg]`/`#[cfg_attr]`: on every generated item.
    pub cfg: Vec<Attribute>,
    /// Docs, lints and the rest: on the user fn and the test fns.
    pub other: Vec<Attribute>,
}

/// Sorts the attributes, rejecting a second test attribute (tokio style).
pub fn sort_attrs(attrs: &[Attribute], errors: &mut Errors) -> Attrs {
    let mut sorted = Attrs::default();
    for attr in attrs {
        let path = attr.path();
        let last = path
            .segments
            .last()
            .map(|s| s.ident.to_string())
            .unwrap_or_default();
        if last == "llama_eval" {
            errors.push(
                attr,
                "`#[llama_eval]` is applied twice; merge the two into one attribute",
            );
        } else if is_expanded_builtin_test(path) {
            // What `#[tokio::test]` (and similar) above `#[llama_eval]` expand
            // to: naming that path would point at code the user never wrote.
            errors.push(
                attr,
                "a test attribute placed above `#[llama_eval]` (such as `#[tokio::test]` or \
                 `#[test]`) already made this a test; remove it: `#[llama_eval]` generates the \
                 test itself and runs `async fn` bodies on its own runtime",
            );
        } else if last.ends_with("test") || last == "test_case" {
            let shown = quote::quote!(#path).to_string().replace(' ', "");
            errors.push(
                attr,
                format!(
                    "second test attribute `#[{shown}]`: `#[llama_eval]` already generates the \
                     `#[test]` function (and runs `async fn` bodies itself); remove `#[{shown}]`"
                ),
            );
        } else if path.is_ident("ignore") || path.is_ident("should_panic") {
            sorted.test_only.push(attr.clone());
        } else if path.is_ident("cfg") || path.is_ident("cfg_attr") {
            sorted.cfg.push(attr.clone());
        } else {
            sorted.other.push(attr.clone());
        }
    }
    sorted
}

/// `::core::prelude::v1::test` / `std::prelude::v1::test` (with or without
/// the leading `::`): the built-in `#[test]` as other test macros emit it.
fn is_expanded_builtin_test(path: &syn::Path) -> bool {
    let shown = quote::quote!(#path).to_string().replace(' ', "");
    matches!(
        shown.trim_start_matches("::"),
        "core::prelude::v1::test" | "std::prelude::v1::test"
    )
}

/// Whether an attribute is a test attribute (dropped from the fallback item
/// so the error is not followed by confusing follow-on errors).
pub fn is_test_attr(attr: &Attribute) -> bool {
    attr.path().segments.last().is_some_and(|s| {
        let name = s.ident.to_string();
        name.ends_with("test") || name == "test_case" || name == "llama_eval"
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use syn::parse_quote;

    fn body(item: ItemFn) -> Result<Body, Vec<String>> {
        let mut errors = Errors::new();
        check_signature(&item, &mut errors).ok_or_else(|| errors.messages())
    }

    #[test]
    fn accepts_the_six_body_forms() {
        let b = body(parse_quote!(
            fn f(out: Output) {}
        ))
        .unwrap();
        assert_eq!((b.input, b.is_async), (Input::Owned, false));
        let b = body(parse_quote!(
            async fn f(out: &llama_test::Output) {}
        ))
        .unwrap();
        assert_eq!((b.input, b.is_async), (Input::Borrowed, true));
        let b = body(parse_quote!(
            async fn f() -> () {}
        ))
        .unwrap();
        assert_eq!((b.input, b.is_async), (Input::Nothing, true));
        assert!(
            body(parse_quote!(
                fn f(_: Output) {}
            ))
            .is_ok()
        );
    }

    #[test]
    fn rejects_other_signatures_with_the_accepted_forms() {
        for item in [
            parse_quote!(
                fn f(out: String) {}
            ),
            parse_quote!(
                fn f(out: &mut Output) {}
            ),
            parse_quote!(
                fn f(a: Output, b: Output) {}
            ),
            parse_quote!(
                fn f<T>(out: Output) {}
            ),
            parse_quote!(
                fn f(out: Output) -> bool {
                    true
                }
            ),
            parse_quote!(
                unsafe fn f() {}
            ),
        ] {
            let errors = body(item).unwrap_err();
            assert_eq!(errors.len(), 1, "{errors:?}");
            assert!(
                errors[0].contains("takes `Output`, `&Output` or nothing"),
                "{errors:?}"
            );
        }
    }

    #[test]
    fn sorts_attributes_and_rejects_other_test_attributes() {
        let item: ItemFn = parse_quote! {
            /// Docs.
            #[ignore]
            #[cfg(feature = "x")]
            #[tokio::test]
            #[allow(unused)]
            #[test]
            fn f() {}
        };
        let mut errors = Errors::new();
        let attrs = sort_attrs(&item.attrs, &mut errors);
        assert_eq!(
            (attrs.test_only.len(), attrs.cfg.len(), attrs.other.len()),
            (1, 1, 2)
        );
        let messages = errors.messages();
        assert_eq!(messages.len(), 2);
        assert!(
            messages[0].starts_with("second test attribute `#[tokio::test]`"),
            "{messages:?}"
        );
        assert!(
            messages[1].starts_with("second test attribute `#[test]`"),
            "{messages:?}"
        );
    }

    #[test]
    fn names_the_users_attribute_not_the_expanded_builtin_test() {
        let item: ItemFn = parse_quote! {
            #[::core::prelude::v1::test]
            #[core::prelude::v1::test]
            #[std::prelude::v1::test]
            fn f() {}
        };
        let mut errors = Errors::new();
        sort_attrs(&item.attrs, &mut errors);
        let messages = errors.messages();
        assert_eq!(messages.len(), 3, "{messages:?}");
        for message in &messages {
            assert!(
                message.starts_with(
                    "a test attribute placed above `#[llama_eval]` (such as `#[tokio::test]`"
                ),
                "{messages:?}"
            );
            assert!(!message.contains("prelude"), "{messages:?}");
        }
    }
}
