//! The macro's entry point as a plain function over `proc_macro2` tokens, so
//! unit tests can run it.

use proc_macro2::TokenStream;
use quote::quote;
use syn::ItemFn;

use crate::errors::Errors;
use crate::eval::Eval;

/// Expands `#[llama_eval(attr)] item`. On any error the user's function is
/// still emitted (unchanged, minus test attributes) next to every error, so
/// IDEs keep resolving the body.
pub fn expand(attr: TokenStream, item: TokenStream) -> TokenStream {
    let mut errors = Errors::new();
    let item: ItemFn = match syn::parse2(item.clone()) {
        Ok(item) => item,
        Err(_) => {
            errors.push(
                &item,
                "`#[llama_eval]` goes on a function: `fn name(out: Output) { ... }`",
            );
            let compile_errors = errors.to_compile_errors();
            return quote!(#item #compile_errors);
        }
    };
    let args = crate::args::parse_args(attr.clone(), &mut errors);
    let eval = Eval::from_args(&args, &mut errors);
    crate::rules::check(&eval, &attr, &mut errors);
    let attrs = crate::body::sort_attrs(&item.attrs, &mut errors);
    let body = crate::body::check_signature(&item, &mut errors);
    if errors.is_empty()
        && let Some(body) = body
        && let Some(tokens) = crate::codegen::generate(&item, &eval, body, &attrs, &mut errors)
    {
        return tokens;
    }
    fallback(item, &errors)
}

fn fallback(mut item: ItemFn, errors: &Errors) -> TokenStream {
    item.attrs.retain(|a| !crate::body::is_test_attr(a));
    let compile_errors = errors.to_compile_errors();
    quote! {
        #[allow(dead_code)]
        #item
        #compile_errors
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pretty(tokens: TokenStream) -> String {
        prettyplease::unparse(&syn::parse2(tokens).unwrap())
    }

    /// The reference expansion: cases × models, checks, a tools file and an
    /// async body taking `&Output`. Review the snapshot when it changes.
    #[test]
    fn expansion_of_a_representative_eval() {
        let attr = quote! {
            models = ["Llama-3.3-70B-Instruct", "Llama-4-Scout-17B-16E-Instruct-FP8"],
            prompt = "What's the weather like in {{city}}?",
            tools = "tests/data/tools.json",
            temperature = 0.2,
            case(name = "nyc", city = "New York, NY"),
            case(city = "Paris"),
            assert(function_call = "get_weather", not_icontains_any = ["sorry", "cannot"]),
            assert(llm_rubric(value = "Asks for the weather in {{city}}", threshold = 0.8)),
        };
        let item = quote! {
            /// Calls the weather tool.
            #[ignore = "needs a recording"]
            async fn tool_calling(out: &Output) {
                out.assert_function_call("get_weather");
            }
        };
        insta::assert_snapshot!(pretty(expand(attr, item)));
    }

    #[test]
    fn a_single_test_keeps_the_function_name() {
        let out = pretty(expand(
            quote!(model = "Llama-3.3-70B-Instruct", prompt = "Hi"),
            quote!(
                fn greets() {}
            ),
        ));
        insta::assert_snapshot!(out);
    }

    #[test]
    fn errors_keep_the_item_and_report_everything() {
        let out = expand(
            quote!(model = "Llama-3.3-70B", promt = "Hi", temperature = "hot"),
            quote! {
                #[tokio::test]
                async fn broken(out: Output) { let _ = out; }
            },
        )
        .to_string();
        assert!(
            out.starts_with("# [allow (dead_code)] async fn broken"),
            "{out}"
        );
        assert!(
            !out.contains("# [tokio :: test]"),
            "the rejected attribute is dropped: {out}"
        );
        assert_eq!(out.matches("compile_error").count(), 5, "{out}");
        for message in [
            "unknown key `promt`; did you mean `prompt`?",
            "`temperature` expects a number",
            "missing `prompt",
            "unknown model `Llama-3.3-70B`; did you mean `Llama-3.3-70B-Instruct`?",
            "second test attribute `#[tokio::test]`",
        ] {
            assert!(out.contains(message), "{message} not in {out}");
        }
    }

    #[test]
    fn a_non_function_item_is_an_error_but_still_emitted() {
        let out = expand(
            quote!(model = "M"),
            quote!(
                struct S;
            ),
        )
        .to_string();
        assert!(out.starts_with("struct S ;"), "{out}");
        assert!(out.contains("`#[llama_eval]` goes on a function"), "{out}");
    }
}
