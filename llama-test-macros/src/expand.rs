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
