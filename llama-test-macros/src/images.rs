//! `image = ...` / `images = [...]`: URLs are passed through; local files are
//! checked (size, format) here and embedded with `include_bytes!`.

use std::io::Read;

use proc_macro2::TokenStream;

use crate::errors::Errors;
use crate::keys::Spanned;

/// The API's per-request image limit.
pub const MAX_IMAGES: usize = 9;
/// The API's per-image size limit, 25 MB.
pub const MAX_IMAGE_BYTES: u64 = 25 * 1024 * 1024;

/// One image as the generated code will pass it.
pub struct Image {
    /// The path or URL as written.
    pub source: String,
    /// A local file (embedded) rather than an `http(s)://` or `data:` URL.
    pub local: bool,
    pub tokens: TokenStream,
}

/// Checks one image source; errors name the path and what is wrong.
pub fn load(source: &Spanned<String>, errors: &mut Errors) -> Option<Image> {
    let text = source.value.as_str();
    let image = |local| Image {
        source: text.to_owned(),
        local,
        tokens: source.tokens.clone(),
    };
    if text.starts_with("http://") || text.starts_with("https://") {
        return Some(image(false));
    }
    if let Some(rest) = text.strip_prefix("data:") {
        return match check_data_url(rest) {
            Ok(()) => Some(image(false)),
            Err(e) => {
                errors.push(&source.tokens, e);
                None
            }
        };
    }
    let full = crate::files::resolve("image", source, errors)?;
    match check_file(&full) {
        Ok(()) => Some(image(true)),
        Err(e) => {
            errors.push(&source.tokens, format!("image `{text}` {e}"));
            None
        }
    }
}

fn check_data_url(rest: &str) -> Result<(), String> {
    let Some((header, data)) = rest.split_once(',') else {
        return Err("a data URL needs `data:image/<type>;base64,<data>`".to_owned());
    };
    if !header.starts_with("image/") || !header.ends_with(";base64") {
        return Err(format!(
            "a data URL needs `data:image/<type>;base64,<data>`; found `data:{header},...`"
        ));
    }
    let decoded_len = data.len() as u64 / 4 * 3;
    if decoded_len > MAX_IMAGE_BYTES {
        return Err(format!(
            "the data URL image is about {decoded_len} bytes; the API accepts at most 25 MB"
        ));
    }
    Ok(())
}

fn check_file(path: &std::path::Path) -> Result<(), String> {
    let size = std::fs::metadata(path)
        .map_err(|e| format!("cannot be read: {e}"))?
        .len();
    if size > MAX_IMAGE_BYTES {
        return Err(format!(
            "is {size} bytes; the API accepts at most 25 MB per image"
        ));
    }
    let mut head = [0u8; 8];
    let mut file = std::fs::File::open(path).map_err(|e| format!("cannot be read: {e}"))?;
    let read = file
        .read(&mut head)
        .map_err(|e| format!("cannot be read: {e}"))?;
    if image_format(&head[..read]).is_none() {
        return Err("is not a JPEG, PNG, GIF or ICO image (judged by its first bytes)".to_owned());
    }
    Ok(())
}

/// The format named by a file's magic bytes, if the API accepts it.
pub fn image_format(head: &[u8]) -> Option<&'static str> {
    const FORMATS: &[(&[u8], &str)] = &[
        (&[0xFF, 0xD8, 0xFF], "jpeg"),
        (&[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A], "png"),
        (b"GIF87a", "gif"),
        (b"GIF89a", "gif"),
        (&[0x00, 0x00, 0x01, 0x00], "ico"),
    ];
    FORMATS
        .iter()
        .find(|(magic, _)| head.starts_with(magic))
        .map(|(_, name)| *name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognizes_the_accepted_formats_by_magic_bytes() {
        assert_eq!(
            image_format(&[0x89, b'P', b'N', b'G', 13, 10, 26, 10]),
            Some("png")
        );
        assert_eq!(image_format(&[0xFF, 0xD8, 0xFF, 0xE0]), Some("jpeg"));
        assert_eq!(image_format(b"GIF89a.."), Some("gif"));
        assert_eq!(image_format(&[0, 0, 1, 0, 1, 0]), Some("ico"));
        assert_eq!(image_format(b"RIFF....WEBP"), None);
        assert_eq!(image_format(b""), None);
    }

    #[test]
    fn data_urls_must_be_base64_images() {
        assert!(check_data_url("image/png;base64,iVBORw0KGgo=").is_ok());
        assert!(check_data_url("text/plain;base64,aGk=").is_err());
        assert!(check_data_url("image/png,raw").is_err());
        assert!(check_data_url("image/png;base64").is_err());
    }
}
