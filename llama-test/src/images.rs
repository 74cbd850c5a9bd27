//! Images for vision requests: local files become base64 data URLs, and
//! every request is checked against the Llama API's image limits before
//! anything is sent (JPEG/PNG/GIF/ICO only, at most 25 MB each, at most 9
//! per request, none for text-only models). `http(s)://` URLs pass through
//! unchecked: the server fetches them. The limits and the format detection
//! are `llama_test_core::images`, which `#[llama_eval]` also runs on the
//! attribute's images at compile time.

use std::path::Path;

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;

use crate::catalogue::ModelInfo;
use crate::error::{Error, Result};
use crate::request::ChatRequest;

pub use llama_test_core::images::{MAX_IMAGE_BYTES, MAX_IMAGES_PER_REQUEST};

/// Side of one image tile, in pixels.
pub const TILE_SIDE: u32 = 336;
/// Approximate tokens one tile costs.
pub const TOKENS_PER_TILE: u32 = 145;

/// Reads an image file and returns it as a `data:<mime>;base64,...` URL,
/// after checking its format and size.
pub fn image_url_from_file(path: &Path) -> Result<String> {
    let bytes = std::fs::read(path).map_err(|e| {
        Error::Config(format!(
            "could not read image file `{}`: {e}",
            path.display()
        ))
    })?;
    image_url_from_bytes(&bytes, &path.display().to_string())
}

/// Encodes image bytes as a data URL; `source_name` (a path, a URL...)
/// names the image in errors.
pub fn image_url_from_bytes(bytes: &[u8], source_name: &str) -> Result<String> {
    let mime = check_image_bytes(bytes, source_name)?;
    Ok(format!("data:{mime};base64,{}", BASE64.encode(bytes)))
}

/// Checks size and format of decoded image bytes; returns the MIME type.
pub fn check_image_bytes(bytes: &[u8], source_name: &str) -> Result<&'static str> {
    llama_test_core::images::check_image_bytes(bytes, source_name).map_err(Error::InvalidRequest)
}

/// Checks every image of a request before it is sent. `model` is the
/// catalogue entry (`None` for unlisted models, whose abilities are unknown).
pub fn validate_request_images(request: &ChatRequest, model: Option<&ModelInfo>) -> Result<()> {
    let count = request.image_urls().count();
    if count == 0 {
        return Ok(());
    }
    if let Some(info) = model.filter(|m| !m.accepts_images) {
        return Err(Error::InvalidRequest(format!(
            "model `{}` does not accept images, but the request has {count}; use an image model \
             such as `Llama-4-Maverick-17B-128E-Instruct-FP8` or `Llama-4-Scout-17B-16E-Instruct-FP8`",
            info.id
        )));
    }
    if count > MAX_IMAGES_PER_REQUEST {
        return Err(Error::InvalidRequest(format!(
            "the request has {count} images; the Llama API accepts at most {MAX_IMAGES_PER_REQUEST} per request"
        )));
    }
    for (i, url) in request.image_urls().enumerate() {
        check_image_url(url, &format!("#{} of the request", i + 1))?;
    }
    Ok(())
}

/// Checks one image URL: web URLs pass, data URLs are decoded and checked.
pub fn check_image_url(url: &str, source_name: &str) -> Result<()> {
    llama_test_core::images::check_image_url(url, source_name).map_err(Error::InvalidRequest)
}

/// Approximate prompt tokens for an image: 145 per 336x336 tile, tiles
/// counted per axis rounding up.
pub fn estimate_image_tokens(width: u32, height: u32) -> u32 {
    let tiles = width
        .div_ceil(TILE_SIDE)
        .saturating_mul(height.div_ceil(TILE_SIDE));
    tiles.saturating_mul(TOKENS_PER_TILE)
}

/// [`estimate_image_tokens`] for encoded image bytes (reads the header only).
pub fn estimate_image_tokens_for_bytes(bytes: &[u8], source_name: &str) -> Result<u32> {
    let size = imagesize::blob_size(bytes).map_err(|e| {
        Error::InvalidRequest(format!(
            "could not read the size of image `{source_name}`: {e}"
        ))
    })?;
    let side = |v: usize| u32::try_from(v).unwrap_or(u32::MAX);
    Ok(estimate_image_tokens(side(size.width), side(size.height)))
}

#[cfg(any(test, feature = "sim"))]
#[cfg_attr(docsrs, doc(cfg(feature = "sim")))]
pub mod test_images {
    //! Minimal image bytes for tests of image handling: just the header,
    //! enough for format and size sniffing (and so for the limits checked
    //! before a request is sent), not a decodable picture.

    /// A PNG header of the given size.
    pub fn png(width: u32, height: u32) -> Vec<u8> {
        let mut b = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
        b.extend_from_slice(&width.to_be_bytes());
        b.extend_from_slice(&height.to_be_bytes());
        b.extend_from_slice(&[8, 6, 0, 0, 0, 0, 0, 0, 0]);
        b
    }

    /// A BMP header (a format the Llama API refuses).
    pub fn bmp() -> Vec<u8> {
        let mut b = b"BM".to_vec();
        b.extend_from_slice(&[0; 12]);
        b.extend_from_slice(&40u32.to_le_bytes());
        b.extend_from_slice(&16u32.to_le_bytes());
        b.extend_from_slice(&16u32.to_le_bytes());
        b.extend_from_slice(&[0; 28]);
        b
    }
}

#[cfg(test)]
mod tests {
    use super::test_images::{bmp, png};
    use super::*;
    use crate::catalogue;
    use crate::request::Message;

    const SCOUT_FP8: &str = "Llama-4-Scout-17B-16E-Instruct-FP8";

    fn request_with(urls: &[String], model: &str) -> ChatRequest {
        let message = urls
            .iter()
            .fold(Message::user("look"), |m, u| m.with_image_url(u.clone()));
        ChatRequest::new(model).message(message)
    }

    #[test]
    fn files_become_data_urls_with_the_sniffed_mime() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("photo.bin");
        std::fs::write(&path, png(10, 10)).unwrap();
        let url = image_url_from_file(&path).unwrap();
        assert!(url.starts_with("data:image/png;base64,iVBOR"), "{url}");
        check_image_url(&url, "x").unwrap();
        let gif = image_url_from_bytes(b"GIF89a\x01\0\x01\0\0\0\0", "g.gif").unwrap();
        assert!(gif.starts_with("data:image/gif;base64,"));
        let jpeg = image_url_from_bytes(
            &[
                0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10, b'J', b'F', b'I', b'F', 0, 1, 1, 0, 0, 1,
            ],
            "j.jpg",
        )
        .unwrap();
        assert!(jpeg.starts_with("data:image/jpeg;base64,"));
        let missing = image_url_from_file(&dir.path().join("nope.png")).unwrap_err();
        assert!(missing.to_string().contains("nope.png"), "{missing}");
    }

    #[test]
    fn bmp_is_refused_naming_the_source_and_allowed_formats() {
        let err = image_url_from_bytes(&bmp(), "cat.bmp")
            .unwrap_err()
            .to_string();
        assert!(err.contains("cat.bmp") && err.contains("Bmp"), "{err}");
        assert!(err.contains("JPEG, PNG, GIF or ICO"), "{err}");
        let url = format!("data:image/bmp;base64,{}", BASE64.encode(bmp()));
        let request = request_with(&[url], SCOUT_FP8);
        let err = validate_request_images(&request, catalogue::lookup(SCOUT_FP8)).unwrap_err();
        assert!(err.to_string().contains("#1 of the request"), "{err}");
        let text = image_url_from_bytes(b"hello", "notes.txt")
            .unwrap_err()
            .to_string();
        assert!(text.contains("unrecognized format"), "{text}");
    }

    #[test]
    fn images_over_25_mb_are_refused() {
        let mut big = png(4000, 4000);
        big.resize(26 * 1024 * 1024, 0);
        let err = image_url_from_bytes(&big, "big.png")
            .unwrap_err()
            .to_string();
        assert!(err.contains("big.png") && err.contains("25 MB"), "{err}");
        let url = format!("data:image/png;base64,{}", BASE64.encode(&big));
        assert!(
            check_image_url(&url, "u")
                .unwrap_err()
                .to_string()
                .contains("25 MB")
        );
        let mut ok = png(10, 10);
        ok.resize(MAX_IMAGE_BYTES, 0);
        image_url_from_bytes(&ok, "limit.png").unwrap();
    }

    #[test]
    fn at_most_nine_images_and_none_for_text_models() {
        let url = image_url_from_bytes(&png(1, 1), "p").unwrap();
        let nine = request_with(&vec![url.clone(); 9], SCOUT_FP8);
        validate_request_images(&nine, catalogue::lookup(SCOUT_FP8)).unwrap();
        let ten = request_with(&vec![url.clone(); 10], SCOUT_FP8);
        let err = validate_request_images(&ten, catalogue::lookup(SCOUT_FP8)).unwrap_err();
        assert!(err.to_string().contains("at most 9"), "{err}");

        let cerebras = "Cerebras-Llama-4-Scout-17B-16E-Instruct";
        let one = request_with(&["https://example.com/cat.png".to_owned()], cerebras);
        let err = validate_request_images(&one, catalogue::lookup(cerebras))
            .unwrap_err()
            .to_string();
        assert!(err.contains(cerebras) && err.contains("-FP8"), "{err}");
        // Unlisted models and web URLs are not second-guessed.
        validate_request_images(&one, None).unwrap();
        let garbage = request_with(&["C:/pics/cat.png".to_owned()], SCOUT_FP8);
        assert!(validate_request_images(&garbage, catalogue::lookup(SCOUT_FP8)).is_err());
    }

    #[test]
    fn token_estimates_count_336_pixel_tiles() {
        assert_eq!(estimate_image_tokens(336, 336), 145);
        assert_eq!(estimate_image_tokens(337, 336), 290);
        assert_eq!(estimate_image_tokens(1000, 1000), 9 * 145);
        assert_eq!(estimate_image_tokens(0, 0), 0);
        assert_eq!(
            estimate_image_tokens_for_bytes(&png(672, 100), "p").unwrap(),
            290
        );
    }
}
