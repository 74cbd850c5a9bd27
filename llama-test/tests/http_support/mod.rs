//! A plain HTTP client for tests that talk to a loopback server directly,
//! without this crate's client.

/// A reqwest client. reqwest is built without a default TLS provider; even
/// plain `http://` needs one installed before a client can be built.
pub fn http() -> reqwest::Client {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::new()
}
