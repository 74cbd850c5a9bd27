//! Generic parsing of the attribute's argument list into `key`, `key = value`
//! and `key(...)` items. Knows nothing about which keys exist (see `keys`).
//!
//! The list is split at top-level commas first and each item is parsed on its
//! own, so one malformed item does not hide the errors in the others.

use proc_macro2::{Delimiter, Spacing, TokenStream, TokenTree};
use quote::ToTokens;

use crate::errors::Errors;

/// One item of an argument list.
pub struct Arg {
    /// The key as written (keywords such as `crate` allowed).
    pub key: proc_macro2::Ident,
    pub body: ArgBody,
    /// All tokens of the item, for error spans.
    pub tokens: TokenStream,
}

pub enum ArgBody {
    /// A bare `key`.
    Flag,
    /// `key = value`.
    Value(Value),
    /// `key(items...)`.
    List(Vec<Arg>),
}

/// A literal value, or a bracketed list of them.
pub struct Value {
    pub kind: ValueKind,
    /// The value's tokens, for error spans.
    pub tokens: TokenStream,
}

pub enum ValueKind {
    Str(String),
    Int(i128),
    Float(f64),
    Bool(bool),
    Array(Vec<Value>),
    /// Anything else (a path, an expression): a type error at the key's use.
    Other,
}

impl Arg {
    pub fn name(&self) -> String {
        self.key.to_string()
    }
}

impl ValueKind {
    /// How the value reads in a "found ..." hint.
    pub fn describe(&self) -> &'static str {
        match self {
            ValueKind::Str(_) => "a string",
            ValueKind::Int(_) => "an integer",
            ValueKind::Float(_) => "a decimal number",
            ValueKind::Bool(_) => "a bool",
            ValueKind::Array(_) => "a list",
            ValueKind::Other => "an expression (only literals are accepted)",
        }
    }
}

/// Parses `a = 1, b(c = "x"), d` into items; malformed items become errors.
pub fn parse_args(tokens: TokenStream, errors: &mut Errors) -> Vec<Arg> {
    split_commas(tokens)
        .into_iter()
        .filter_map(|item| parse_item(item, errors))
        .collect()
}

/// Splits at top-level commas; a trailing comma leaves no empty item.
fn split_commas(tokens: TokenStream) -> Vec<Vec<TokenTree>> {
    let mut items = vec![Vec::new()];
    for tree in tokens {
        match &tree {
            TokenTree::Punct(p) if p.as_char() == ',' => items.push(Vec::new()),
            _ => items.last_mut().expect("starts non-empty").push(tree),
        }
    }
    if items.last().is_some_and(Vec::is_empty) {
        items.pop();
    }
    items
}

fn parse_item(trees: Vec<TokenTree>, errors: &mut Errors) -> Option<Arg> {
    let tokens: TokenStream = trees.iter().cloned().collect();
    let mut iter = trees.into_iter();
    let key = match iter.next() {
        Some(TokenTree::Ident(ident)) => ident,
        Some(other) => {
            errors.push(other, "expected `key = value`, `key(...)` or a bare `key`");
            return None;
        }
        None => {
            errors.push(
                proc_macro2::Punct::new(',', Spacing::Alone),
                "empty item: remove the extra `,`",
            );
            return None;
        }
    };
    let rest: Vec<TokenTree> = iter.collect();
    let body = match rest.first() {
        None => ArgBody::Flag,
        Some(TokenTree::Group(g)) if g.delimiter() == Delimiter::Parenthesis && rest.len() == 1 => {
            ArgBody::List(parse_args(g.stream(), errors))
        }
        Some(TokenTree::Punct(p)) if p.as_char() == '=' && rest.len() > 1 => {
            ArgBody::Value(parse_value(rest[1..].iter().cloned().collect()))
        }
        Some(_) => {
            errors.push(
                &tokens,
                format!("expected `{key} = value`, `{key}(...)` or a bare `{key}`"),
            );
            return None;
        }
    };
    Some(Arg { key, body, tokens })
}

/// Parses one value: a literal, a negative number, `true`/`false`, or a
/// bracketed list of values.
pub fn parse_value(tokens: TokenStream) -> Value {
    let trees: Vec<TokenTree> = tokens.clone().into_iter().collect();
    let kind = match trees.as_slice() {
        [TokenTree::Literal(lit)] => literal_kind(lit.clone(), false),
        [TokenTree::Punct(minus), TokenTree::Literal(lit)] if minus.as_char() == '-' => {
            match literal_kind(lit.clone(), true) {
                kind @ (ValueKind::Int(_) | ValueKind::Float(_)) => kind,
                _ => ValueKind::Other,
            }
        }
        [TokenTree::Ident(ident)] if ident == "true" => ValueKind::Bool(true),
        [TokenTree::Ident(ident)] if ident == "false" => ValueKind::Bool(false),
        [TokenTree::Group(g)] if g.delimiter() == Delimiter::Bracket => ValueKind::Array(
            split_commas(g.stream())
                .into_iter()
                .map(|item| parse_value(item.into_iter().collect()))
                .collect(),
        ),
        // Tokens forwarded through a `macro_rules!` arrive in invisible groups.
        [TokenTree::Group(g)] if g.delimiter() == Delimiter::None => {
            return Value {
                kind: parse_value(g.stream()).kind,
                tokens,
            };
        }
        _ => ValueKind::Other,
    };
    Value { kind, tokens }
}

fn literal_kind(lit: proc_macro2::Literal, negative: bool) -> ValueKind {
    let sign = if negative { -1 } else { 1 };
    match syn::Lit::new(lit) {
        syn::Lit::Str(s) if !negative => ValueKind::Str(s.value()),
        syn::Lit::Int(i) => match i.base10_parse::<i128>() {
            Ok(v) => ValueKind::Int(sign * v),
            Err(_) => ValueKind::Other,
        },
        syn::Lit::Float(f) => match f.base10_parse::<f64>() {
            Ok(v) if negative => ValueKind::Float(-v),
            Ok(v) => ValueKind::Float(v),
            Err(_) => ValueKind::Other,
        },
        _ => ValueKind::Other,
    }
}

impl ToTokens for Value {
    fn to_tokens(&self, out: &mut TokenStream) {
        self.tokens.to_tokens(out);
    }
}

impl ToTokens for Arg {
    fn to_tokens(&self, out: &mut TokenStream) {
        self.tokens.to_tokens(out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use quote::quote;

    fn parse(tokens: TokenStream) -> (Vec<Arg>, Vec<String>) {
        let mut errors = Errors::new();
        let args = parse_args(tokens, &mut errors);
        (args, errors.messages())
    }

    #[test]
    fn parses_values_lists_and_flags() {
        let (args, errors) = parse(quote! {
            model = "M", temperature = -0.5, top_k = 40, stream, crate = "x",
            models = ["a", "b"], case(name = "nyc", city = "New York"),
        });
        assert!(errors.is_empty(), "{errors:?}");
        let names: Vec<String> = args.iter().map(Arg::name).collect();
        assert_eq!(
            names,
            [
                "model",
                "temperature",
                "top_k",
                "stream",
                "crate",
                "models",
                "case"
            ]
        );
        assert!(
            matches!(&args[0].body, ArgBody::Value(Value { kind: ValueKind::Str(s), .. }) if s == "M")
        );
        assert!(
            matches!(&args[1].body, ArgBody::Value(Value { kind: ValueKind::Float(f), .. }) if *f == -0.5)
        );
        assert!(matches!(
            &args[2].body,
            ArgBody::Value(Value {
                kind: ValueKind::Int(40),
                ..
            })
        ));
        assert!(matches!(&args[3].body, ArgBody::Flag));
        let ArgBody::Value(Value {
            kind: ValueKind::Array(items),
            ..
        }) = &args[5].body
        else {
            panic!("models is not a list")
        };
        assert_eq!(items.len(), 2);
        let ArgBody::List(inner) = &args[6].body else {
            panic!("case is not a list")
        };
        assert_eq!(inner.len(), 2);
        assert_eq!(inner[1].name(), "city");
    }

    #[test]
    fn a_bad_item_does_not_hide_the_others() {
        let (args, errors) = parse(quote!(model "M", 42, prompt = "p", top_k = some_const));
        assert_eq!(errors.len(), 2, "{errors:?}");
        assert!(errors[0].contains("expected `model = value`"), "{errors:?}");
        assert!(errors[1].contains("expected `key = value`"), "{errors:?}");
        assert_eq!(args.len(), 2);
        assert!(matches!(
            &args[1].body,
            ArgBody::Value(Value {
                kind: ValueKind::Other,
                ..
            })
        ));
    }
}
