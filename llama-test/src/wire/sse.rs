//! SSE framing of Llama API streams, on top of `eventsource-stream`.
//!
//! Two departures from plain SSE, both from how the API really behaves:
//! - A bare JSON line (no `data:` field) can appear mid-stream to report an
//!   error; Meta's Python SDK raises it as an error event. Plain SSE would
//!   silently ignore it, so such lines are rewritten into a separate event
//!   named [`BARE_JSON_EVENT`], which the assembler turns into an error.
//! - A last event without its trailing blank line is still delivered (the
//!   stream gets a final blank line), so a server that just closes the
//!   connection after its last `data:` line loses nothing.

use eventsource_stream::{Event, EventStreamError, Eventsource};
use futures_util::{Stream, StreamExt, stream};

use super::stream::BARE_JSON_EVENT;

/// The SSE events of a response body stream.
pub fn events<S, B, E>(body: S) -> impl Stream<Item = Result<Event, EventStreamError<E>>>
where
    S: Stream<Item = Result<B, E>>,
    B: AsRef<[u8]>,
{
    let mut marker = BareJsonLines::default();
    body.map(move |chunk| chunk.map(|bytes| marker.rewrite(bytes.as_ref())))
        .chain(stream::once(async { Ok(b"\n\n".to_vec()) }))
        .eventsource()
}

/// A byte-level rewriter (no buffering, so it works on arbitrary chunk
/// boundaries): a line whose first byte is `{` becomes
/// `event: bare-json` + `data: <line>` + a blank line.
#[derive(Debug)]
struct BareJsonLines {
    at_line_start: bool,
    in_bare_line: bool,
}

impl Default for BareJsonLines {
    fn default() -> Self {
        BareJsonLines {
            at_line_start: true,
            in_bare_line: false,
        }
    }
}

impl BareJsonLines {
    fn rewrite(&mut self, chunk: &[u8]) -> Vec<u8> {
        let mut out = Vec::with_capacity(chunk.len() + 32);
        for &byte in chunk {
            if self.at_line_start && byte == b'{' {
                // The leading blank line dispatches any event still open.
                out.extend_from_slice(b"\nevent: ");
                out.extend_from_slice(BARE_JSON_EVENT.as_bytes());
                out.extend_from_slice(b"\ndata: ");
                self.in_bare_line = true;
            }
            out.push(byte);
            self.at_line_start = byte == b'\n' || byte == b'\r';
            if byte == b'\n' && self.in_bare_line {
                out.push(b'\n');
                self.in_bare_line = false;
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures_util::TryStreamExt;

    async fn collect(chunks: &[&str]) -> Vec<(String, String)> {
        let body = stream::iter(
            chunks
                .iter()
                .map(|c| Ok::<_, std::convert::Infallible>(c.as_bytes().to_vec()))
                .collect::<Vec<_>>(),
        );
        events(body)
            .map_ok(|e| (e.event, e.data))
            .try_collect()
            .await
            .unwrap()
    }

    #[tokio::test]
    async fn bare_json_lines_become_their_own_events() {
        let got = collect(&[
            "data: {\"a\":1}\n",
            "{\"error\":{\"mess",
            "age\":\"boom\"}}\r\ndata: {\"b\":2}\n\n",
        ])
        .await;
        assert_eq!(
            got,
            vec![
                ("message".into(), "{\"a\":1}".into()),
                (
                    BARE_JSON_EVENT.into(),
                    "{\"error\":{\"message\":\"boom\"}}".into()
                ),
                ("message".into(), "{\"b\":2}".into()),
            ]
        );
    }

    #[tokio::test]
    async fn last_event_without_blank_line_is_kept() {
        let got = collect(&["data: {\"a\":1}\n\ndata: [DONE]"]).await;
        assert_eq!(got.len(), 2);
        assert_eq!(got[1].1, "[DONE]");
    }
}
