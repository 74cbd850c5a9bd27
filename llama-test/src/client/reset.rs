//! Rate-limit reset values: plain seconds (`"12"`, `"0.5"`), Go-style
//! durations as Groq sends them (`"6m0s"`, `"1.5s"`, `"120ms"`, `"2h3m"`).

use std::time::Duration;

/// Longest reset honoured; anything later is treated as this.
const MAX_RESET: Duration = Duration::from_secs(600);

/// Parses a reset header value; `None` when it is neither form.
///
/// A Unix timestamp (OpenRouter's `X-RateLimit-Reset` is milliseconds since
/// the epoch) is recognised by its size and turned into a delay from now.
pub(crate) fn parse_reset(value: &str) -> Option<Duration> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<f64>() {
        if !seconds.is_finite() || seconds < 0.0 {
            return None;
        }
        if seconds > 1e9 {
            return epoch_delay(seconds);
        }
        return Some(Duration::from_secs_f64(seconds).min(MAX_RESET));
    }
    go_duration(value).map(|d| d.min(MAX_RESET))
}

fn epoch_delay(stamp: f64) -> Option<Duration> {
    let seconds = if stamp > 1e12 { stamp / 1000.0 } else { stamp };
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .ok()?
        .as_secs_f64();
    Some(Duration::from_secs_f64((seconds - now).max(0.0)).min(MAX_RESET))
}

/// `6m0s`, `1.5s`, `120ms`, `2h3m4s`, `1µs`.
pub(crate) fn go_duration(value: &str) -> Option<Duration> {
    let mut total = 0.0f64;
    let mut rest = value;
    if rest.is_empty() {
        return None;
    }
    while !rest.is_empty() {
        let digits = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        let number: f64 = rest.get(..digits)?.parse().ok()?;
        rest = &rest[digits..];
        let unit_len = rest
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(rest.len());
        let scale = match &rest[..unit_len] {
            "h" => 3600.0,
            "m" => 60.0,
            "s" => 1.0,
            "ms" => 1e-3,
            "us" | "µs" => 1e-6,
            "ns" => 1e-9,
            _ => return None,
        };
        total += number * scale;
        rest = &rest[unit_len..];
    }
    total.is_finite().then(|| Duration::from_secs_f64(total))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_seconds_and_go_durations() {
        assert_eq!(parse_reset("12"), Some(Duration::from_secs(12)));
        assert_eq!(parse_reset("0.5"), Some(Duration::from_millis(500)));
        assert_eq!(parse_reset("6m0s"), Some(Duration::from_secs(360)));
        assert_eq!(parse_reset("1.5s"), Some(Duration::from_millis(1500)));
        assert_eq!(parse_reset("120ms"), Some(Duration::from_millis(120)));
        assert_eq!(parse_reset("2h"), Some(MAX_RESET));
        assert_eq!(parse_reset("soon"), None);
        assert_eq!(parse_reset("5x"), None);
        assert_eq!(parse_reset(""), None);
        assert_eq!(parse_reset("-3"), None);
    }
}
