//! `--print`: the request as a curl command to paste into a shell.

use sinch_auth::simulate::SimulatedRequest;
use url::Url;

/// Single-quotes `text` for POSIX shells: everything is literal inside
/// single quotes except `'` itself, written as `'\''`.
fn quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', r"'\''"))
}

/// `curl -sS -i -X POST URL -H ... --data-binary BODY`. A body that is not
/// UTF-8 text is shown lossily; send such bodies without `--print`.
pub fn command(url: &Url, request: &SimulatedRequest) -> String {
    let mut parts = vec![format!("curl -sS -i -X POST {}", quote(url.as_str()))];
    for (name, value) in request.headers() {
        parts.push(format!("-H {}", quote(&format!("{name}: {value}"))));
    }
    parts.push(format!(
        "--data-binary {}",
        quote(&String::from_utf8_lossy(request.body()))
    ));
    parts.join(" \\\n  ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_survive_the_shell() {
        assert_eq!(quote("it's"), r"'it'\''s'");
        assert_eq!(quote("$HOME `x` \\n"), "'$HOME `x` \\n'");
    }
}
