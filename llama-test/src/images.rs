//! TEMPORARY: replaced by the client work's images module on merge.
use base64::Engine;

use crate::error::{Error, Result};

/// Encodes image bytes as a data URL.
pub fn image_url_from_bytes(bytes: &[u8], source: &str) -> Result<String> {
    let mime = match imagesize::image_type(bytes) {
        Ok(imagesize::ImageType::Png) => "image/png",
        Ok(imagesize::ImageType::Jpeg) => "image/jpeg",
        Ok(imagesize::ImageType::Gif) => "image/gif",
        _ => return Err(Error::InvalidRequest(format!("{source}: unsupported image format"))),
    };
    Ok(format!(
        "data:{mime};base64,{}",
        base64::engine::general_purpose::STANDARD.encode(bytes)
    ))
}
