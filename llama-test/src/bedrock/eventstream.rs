//! The AWS event-stream framing of ConverseStream, through the maintained
//! `aws-smithy-eventstream` crate (prelude, headers, CRC32 checksums): no
//! framing code of our own.
//!
//! Each frame carries `:message-type` (`event`, `exception` or `error`),
//! `:event-type` (`messageStart`, `contentBlockDelta`...) or
//! `:exception-type` (`throttlingException`...), `:content-type:
//! application/json` and a JSON payload (the event's members).

use aws_smithy_eventstream::frame::{DecodedFrame, MessageFrameDecoder, write_message_to};
use aws_smithy_types::event_stream::{Header, HeaderValue, Message};
use serde_json::Value;

use crate::error::{Error, Result};

/// The `content-type` of a ConverseStream response body.
pub const EVENT_STREAM_CONTENT_TYPE: &str = "application/vnd.amazon.eventstream";

/// The largest frame the event-stream format allows (16 MiB).
const MAX_FRAME_BYTES: usize = 16 * 1024 * 1024;

/// Incremental decoder: feed it the body as it arrives, one
/// [`FrameDecoder::push`] per chunk (chunks may split frames anywhere), and
/// call [`FrameDecoder::finish`] at the end of the body.
#[derive(Debug, Default)]
pub struct FrameDecoder {
    buffer: Vec<u8>,
    decoder: MessageFrameDecoder,
    /// Bytes of the unfinished frame the decoder already took (its prelude).
    taken: usize,
    frames: usize,
    failed: bool,
}

impl FrameDecoder {
    /// A decoder at the start of a body.
    pub fn new() -> Self {
        Self::default()
    }

    /// Takes the next chunk of the body and returns the events of every
    /// frame it completes, as `(event type, JSON payload)`.
    ///
    /// A corrupt frame (bad length, bad checksum, bad header, a payload that
    /// is not JSON) is an [`Error::Stream`], and so is an `exception` or
    /// `error` frame, whose message names the exception type and carries the
    /// server's message (not yet redacted). After an error the decoder
    /// refuses further input.
    pub fn push(&mut self, chunk: &[u8]) -> Result<Vec<(String, Value)>> {
        if self.failed {
            return Err(stream_error(
                "the event stream was already broken by an earlier frame".into(),
            ));
        }
        self.buffer.extend_from_slice(chunk);
        let mut events = Vec::new();
        loop {
            let mut rest: &[u8] = &self.buffer;
            let before = rest.len();
            let decoded = self.decoder.decode_frame(&mut rest);
            let consumed = before - rest.len();
            self.buffer.drain(..consumed);
            match decoded {
                Ok(DecodedFrame::Incomplete) => {
                    self.taken += consumed;
                    // The decoder only checks a frame's announced length
                    // once all of it arrived; do not buffer past the
                    // format's limit waiting for it.
                    if self.buffer.len() > MAX_FRAME_BYTES {
                        self.failed = true;
                        return Err(stream_error(format!(
                            "frame {} of the event stream exceeds {MAX_FRAME_BYTES} bytes",
                            self.frames + 1
                        )));
                    }
                    return Ok(events);
                }
                Ok(DecodedFrame::Complete(message)) => {
                    self.taken = 0;
                    self.frames += 1;
                    match event_of(&message, self.frames) {
                        Ok(event) => events.push(event),
                        Err(e) => {
                            self.failed = true;
                            return Err(e);
                        }
                    }
                }
                Err(e) => {
                    self.failed = true;
                    return Err(stream_error(format!(
                        "frame {} of the event stream is corrupt: {e}",
                        self.frames + 1
                    )));
                }
            }
        }
    }

    /// Checks that the body ended on a frame boundary: leftover bytes mean
    /// the connection was cut inside a frame.
    pub fn finish(self) -> Result<()> {
        let pending = self.taken + self.buffer.len();
        if pending > 0 && !self.failed {
            return Err(stream_error(format!(
                "the event stream ended inside frame {} ({pending} byte(s) of an incomplete \
                 frame); the connection was cut",
                self.frames + 1
            )));
        }
        Ok(())
    }
}

/// Decodes a whole event-stream body (see [`FrameDecoder`]); a body that
/// ends inside a frame is an [`Error::Stream`].
pub fn decode_frames(bytes: &[u8]) -> Result<Vec<(String, Value)>> {
    let mut decoder = FrameDecoder::new();
    let events = decoder.push(bytes)?;
    decoder.finish()?;
    Ok(events)
}

/// Frames `(event type, JSON payload)` pairs as Bedrock sends them: one
/// `event` frame each, or an `exception` frame (`:exception-type` = the
/// name, payload `{"message": ...}`) when the name ends in `Exception`
/// (`throttlingException`, `modelStreamErrorException`...), so a recorded or
/// simulated mid-stream failure replays as one.
///
/// An error only for what a frame cannot hold: an event name over 64 KiB or
/// a payload over 4 GiB.
pub fn encode_frames(events: &[(String, Value)]) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    for (name, payload) in events {
        let kind = if name.ends_with("Exception") {
            (":message-type", "exception", ":exception-type")
        } else {
            (":message-type", "event", ":event-type")
        };
        let message = Message::new(payload.to_string().into_bytes())
            .add_header(Header::new(
                kind.0,
                HeaderValue::String(kind.1.to_owned().into()),
            ))
            .add_header(Header::new(
                kind.2,
                HeaderValue::String(name.clone().into()),
            ))
            .add_header(Header::new(
                ":content-type",
                HeaderValue::String("application/json".to_owned().into()),
            ));
        write_message_to(&message, &mut out).map_err(|e| {
            Error::InvalidRequest(format!(
                "bedrock: cannot frame the `{}` event: {e}",
                crate::excerpt::trim_chars(name, 60)
            ))
        })?;
    }
    Ok(out)
}

/// Removes the `p` member Bedrock adds to every stream event: random-length
/// padding (against traffic analysis) that changes on every call and means
/// nothing, so that recorded events stay stable across re-recordings.
pub fn strip_padding(payload: &mut Value) {
    if let Value::Object(members) = payload {
        members.remove("p");
    }
}

fn stream_error(message: String) -> Error {
    Error::Stream {
        message: format!("bedrock: {message}"),
    }
}

fn header<'a>(message: &'a Message, name: &str) -> Option<&'a str> {
    message
        .headers()
        .iter()
        .find(|h| h.name().as_str() == name)
        .and_then(|h| h.value().as_string().ok())
        .map(|s| s.as_str())
}

fn event_of(message: &Message, number: usize) -> Result<(String, Value)> {
    let payload = || -> Result<Value> {
        let bytes = message.payload();
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Ok(Value::Object(Default::default()));
        }
        serde_json::from_slice(bytes).map_err(|e| {
            stream_error(format!(
                "the payload of frame {number} is not JSON ({e}): {}",
                crate::excerpt::trim_chars(&String::from_utf8_lossy(bytes), 200)
            ))
        })
    };
    match header(message, ":message-type").unwrap_or("event") {
        "event" => {
            let name = header(message, ":event-type").ok_or_else(|| {
                stream_error(format!("frame {number} has no `:event-type` header"))
            })?;
            Ok((name.to_owned(), payload()?))
        }
        "exception" => {
            let name = header(message, ":exception-type").unwrap_or("exception");
            let text = payload()
                .ok()
                .as_ref()
                .and_then(super::response::error_message)
                .unwrap_or_else(|| {
                    crate::excerpt::trim_chars(&String::from_utf8_lossy(message.payload()), 200)
                });
            Err(stream_error(format!(
                "the stream carried a `{name}` mid-answer: {text}"
            )))
        }
        "error" => Err(stream_error(format!(
            "the stream carried an error `{}` mid-answer: {}",
            header(message, ":error-code").unwrap_or("unknown"),
            header(message, ":error-message").unwrap_or("(no message)")
        ))),
        other => Err(stream_error(format!(
            "frame {number} has an unknown `:message-type` `{other}`"
        ))),
    }
}
