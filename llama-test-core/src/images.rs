//! The Llama API's image limits and format detection: JPEG, PNG, GIF or ICO
//! only (judged by the bytes, not the file name), at most 25 MB each and at
//! most 9 per request. The macro runs these checks on the attribute's image
//! files and data URLs at compile time; the runtime runs the same ones on
//! every request before it is sent.

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use imagesize::ImageType;

/// Largest accepted image, in decoded bytes (25 MB).
pub const MAX_IMAGE_BYTES: usize = 25 * 1024 * 1024;
/// Most images accepted in one request.
pub const MAX_IMAGES_PER_REQUEST: usize = 9;
/// The accepted formats, for messages.
pub const ALLOWED_FORMATS: &str = "JPEG, PNG, GIF or ICO";

/// Where an image named in an eval comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImageSource {
    /// An `http://` or `https://` URL: the server fetches it, nothing to check.
    Web,
    /// A `data:` URL: decoded and checked like a file.
    Data,
    /// Anything else: a path to a local file.
    File,
}

impl ImageSource {
    /// Classifies an `image = "..."` value.
    pub fn of(source: &str) -> ImageSource {
        if source.starts_with("https://") || source.starts_with("http://") {
            ImageSource::Web
        } else if source.starts_with("data:") {
            ImageSource::Data
        } else {
            ImageSource::File
        }
    }
}

/// The MIME type of image bytes whose format the Llama API accepts.
pub fn mime_type(bytes: &[u8]) -> Option<&'static str> {
    mime_of(imagesize::image_type(bytes).ok())
}

fn mime_of(kind: Option<ImageType>) -> Option<&'static str> {
    match kind? {
        ImageType::Jpeg => Some("image/jpeg"),
        ImageType::Png => Some("image/png"),
        ImageType::Gif => Some("image/gif"),
        ImageType::Ico => Some("image/x-icon"),
        _ => None,
    }
}

/// Refuses an image over [`MAX_IMAGE_BYTES`]; `source_name` names it.
pub fn check_image_size(len: u64, source_name: &str) -> Result<(), String> {
    if len > MAX_IMAGE_BYTES as u64 {
        return Err(format!(
            "image `{source_name}` is {:.1} MB; the Llama API accepts at most 25 MB per image",
            len as f64 / (1024.0 * 1024.0)
        ));
    }
    Ok(())
}

/// Checks size and format of decoded image bytes; returns the MIME type.
/// `source_name` (a path, a URL...) names the image in errors.
pub fn check_image_bytes(bytes: &[u8], source_name: &str) -> Result<&'static str, String> {
    check_image_size(bytes.len() as u64, source_name)?;
    let kind = imagesize::image_type(bytes).ok();
    mime_of(kind).ok_or_else(|| {
        let found = kind.map_or_else(|| "an unrecognized format".to_owned(), |k| format!("{k:?}"));
        format!(
            "image `{source_name}` is {found}; the Llama API accepts {ALLOWED_FORMATS} images only"
        )
    })
}

/// Checks one image URL: web URLs pass, data URLs are decoded and checked
/// like files. `source_name` names the image in errors.
pub fn check_image_url(url: &str, source_name: &str) -> Result<(), String> {
    match ImageSource::of(url) {
        ImageSource::Web => Ok(()),
        ImageSource::Data => decode_data_url(url, source_name)
            .and_then(|bytes| check_image_bytes(&bytes, source_name).map(|_| ())),
        ImageSource::File => Err(format!(
            "image {source_name} (`{}`) is neither an http(s):// URL nor a data: URL; \
             load local files with `images::image_url_from_file`",
            url.chars().take(60).collect::<String>()
        )),
    }
}

/// The bytes of a `data:<mime>;base64,<data>` URL.
fn decode_data_url(url: &str, source_name: &str) -> Result<Vec<u8>, String> {
    let rest = url.strip_prefix("data:").unwrap_or(url);
    let Some((meta, payload)) = rest.split_once(',') else {
        return Err(format!(
            "image {source_name} is a data URL without a `,` before its data"
        ));
    };
    if !meta.ends_with(";base64") {
        return Err(format!(
            "image {source_name} is a data URL that is not base64-encoded (`data:{meta},...`)"
        ));
    }
    // Refuse oversized payloads before decoding them.
    if payload.len() / 4 * 3 > MAX_IMAGE_BYTES + 3 {
        return Err(format!(
            "image {source_name} is about {:.1} MB; the Llama API accepts at most 25 MB per image",
            (payload.len() / 4 * 3) as f64 / (1024.0 * 1024.0)
        ));
    }
    BASE64
        .decode(payload.trim())
        .map_err(|e| format!("image {source_name} has invalid base64 data: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\0\0\0\0";

    #[test]
    fn recognizes_the_accepted_formats_by_their_bytes() {
        assert_eq!(mime_type(PNG), Some("image/png"));
        assert_eq!(mime_type(b"GIF89a\x01\0\x01\0\0\0\0"), Some("image/gif"));
        assert_eq!(mime_type(b"RIFF\0\0\0\0WEBPVP8 "), None);
        assert_eq!(mime_type(b""), None);
        let bmp = check_image_bytes(
            b"BM\0\0\0\0\0\0\0\0\0\0\0\0\x28\0\0\0\x10\0\0\0\x10\0\0\0",
            "cat.bmp",
        );
        assert_eq!(
            bmp.unwrap_err(),
            "image `cat.bmp` is Bmp; the Llama API accepts JPEG, PNG, GIF or ICO images only"
        );
    }

    #[test]
    fn data_urls_are_decoded_and_checked_like_files() {
        let png = format!("data:image/png;base64,{}", BASE64.encode(PNG));
        check_image_url(&png, "x").unwrap();
        check_image_url("https://example.com/cat.png", "x").unwrap();
        let text = check_image_url("data:text/plain;base64,aGk=", "`d`").unwrap_err();
        assert!(text.contains("unrecognized format"), "{text}");
        let raw = check_image_url("data:image/png,raw", "`d`").unwrap_err();
        assert!(raw.contains("not base64-encoded"), "{raw}");
        let no_comma = check_image_url("data:image/png;base64", "`d`").unwrap_err();
        assert!(no_comma.contains("without a `,`"), "{no_comma}");
        assert_eq!(ImageSource::of("tests/data/cat.png"), ImageSource::File);
    }

    #[test]
    fn images_over_25_mb_are_refused() {
        let err = check_image_size(26 * 1024 * 1024, "big.png").unwrap_err();
        assert_eq!(
            err,
            "image `big.png` is 26.0 MB; the Llama API accepts at most 25 MB per image"
        );
        check_image_size(MAX_IMAGE_BYTES as u64, "limit.png").unwrap();
    }
}
