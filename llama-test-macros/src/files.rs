//! Files named in the attribute: resolved against `CARGO_MANIFEST_DIR`, read
//! at compile time and checked with the parsers the runtime uses
//! (`llama_test_core::files`, `llama_test_core::images`), then embedded with
//! `include_str!`/`include_bytes!` by the generated code (which also makes
//! edits to them rebuild the test).

use std::path::{Path, PathBuf};

use llama_test_core::images::{self as core_images, ImageSource};
use proc_macro2::TokenStream;
use serde_json::Value;

use crate::errors::Errors;
use crate::keys::Spanned;

/// A JSON document from a file or an inline string.
pub struct JsonFile {
    /// The path as written; `None` for inline JSON.
    pub path: Option<String>,
    /// The text (embedded verbatim for inline JSON).
    pub contents: String,
    pub json: Value,
}

/// One image as the generated code will pass it.
pub struct Image {
    /// The path or URL as written.
    pub source: String,
    /// A local file (embedded) rather than an `http(s)://` or `data:` URL.
    pub local: bool,
    pub tokens: TokenStream,
}

/// Checks one `image`/`images` entry as the runtime will before sending it:
/// a web URL passes, a data URL or a local file must hold a JPEG, PNG, GIF
/// or ICO image of at most 25 MB.
pub fn load_image(source: &Spanned<String>, errors: &mut Errors) -> Option<Image> {
    let text = source.value.as_str();
    let image = |local| Image {
        source: text.to_owned(),
        local,
        tokens: source.tokens.clone(),
    };
    match ImageSource::of(text) {
        ImageSource::Web => Some(image(false)),
        ImageSource::Data => {
            let excerpt: String = text.chars().take(40).collect();
            match core_images::check_image_url(text, &format!("{excerpt}...")) {
                Ok(()) => Some(image(false)),
                Err(e) => {
                    errors.push(&source.tokens, e);
                    None
                }
            }
        }
        ImageSource::File => {
            let full = resolve("image", source, errors)?;
            let checked = check_image_file(&full, text);
            match checked {
                Ok(()) => Some(image(true)),
                Err(e) => {
                    errors.push(&source.tokens, e);
                    None
                }
            }
        }
    }
}

/// Checks an image file by its size first, so a huge file is refused
/// before it is read into the compiler.
fn check_image_file(path: &Path, name: &str) -> Result<(), String> {
    let unreadable = |e: std::io::Error| format!("image `{name}` cannot be read: {e}");
    let len = std::fs::metadata(path).map_err(unreadable)?.len();
    core_images::check_image_size(len, name)?;
    let bytes = std::fs::read(path).map_err(unreadable)?;
    core_images::check_image_bytes(&bytes, name).map(|_| ())
}

/// The directory holding the crate's `Cargo.toml`, which paths are relative to.
pub fn manifest_dir() -> Result<PathBuf, String> {
    std::env::var_os("CARGO_MANIFEST_DIR")
        .map(PathBuf::from)
        .ok_or_else(|| {
            "CARGO_MANIFEST_DIR is not set; #[llama_eval] resolves file paths against it, \
             so build with cargo"
                .to_owned()
        })
}

/// The full path of an existing file named by `path`, or an error naming it.
pub fn resolve(key: &str, path: &Spanned<String>, errors: &mut Errors) -> Option<PathBuf> {
    if path.value.is_empty() || Path::new(&path.value).is_absolute() {
        errors.push(
            &path.tokens,
            format!(
                "`{key}` needs a path relative to the crate root (CARGO_MANIFEST_DIR), \
                 e.g. `tests/data/...`; found `{}`",
                path.value
            ),
        );
        return None;
    }
    let dir = match manifest_dir() {
        Ok(dir) => dir,
        Err(message) => {
            errors.push(&path.tokens, message);
            return None;
        }
    };
    let full = dir.join(&path.value);
    if full.is_file() {
        return Some(full);
    }
    let what = if full.exists() {
        "is not a file"
    } else {
        "not found"
    };
    errors.push(
        &path.tokens,
        format!(
            "`{key}` file `{}` {what} (paths are relative to the crate root, CARGO_MANIFEST_DIR)",
            path.value
        ),
    );
    None
}

/// Reads and parses a JSON file; errors name the key, the file and the line.
pub fn load_json(key: &str, path: &Spanned<String>, errors: &mut Errors) -> Option<JsonFile> {
    let full = resolve(key, path, errors)?;
    let contents = match std::fs::read_to_string(&full) {
        Ok(text) => text,
        Err(e) => {
            errors.push(
                &path.tokens,
                format!("cannot read `{key}` file `{}`: {e}", path.value),
            );
            return None;
        }
    };
    parse_json(
        key,
        Some(path.value.clone()),
        contents,
        &path.tokens,
        errors,
    )
}

/// Parses inline JSON given directly in the attribute.
pub fn inline_json(key: &str, text: &Spanned<String>, errors: &mut Errors) -> Option<JsonFile> {
    parse_json(key, None, text.value.clone(), &text.tokens, errors)
}

fn parse_json(
    key: &str,
    path: Option<String>,
    contents: String,
    tokens: &TokenStream,
    errors: &mut Errors,
) -> Option<JsonFile> {
    match llama_test_core::files::parse_json(&contents) {
        Ok(json) => Some(JsonFile {
            path,
            contents,
            json,
        }),
        Err(e) => {
            let source = path.map_or_else(|| "inline JSON".to_owned(), |p| format!("file `{p}`"));
            errors.push(tokens, format!("`{key}` {source} is not valid JSON: {e}"));
            None
        }
    }
}
